// The network map through the helper CLI against the lab (web01) and real libvirt: init records the map in
// the manifest, preflight and cutover check every target network exists and is active, and a cutover whose
// map names a missing network refuses with NETWORK_MISSING before the VMware VM is shut down (it stays on,
// nothing of a cutover is recorded). A corrected map given to cutover is saved in the manifest.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type LibvirtdHandle } from "../support/libvirtd";
import { type TestLab } from "../support/lab";
import { LabMigrationWorld } from "../support/lab-migration";
import { cli, cliOk } from "../unit/cutover/cli-helpers";

const world = new LabMigrationWorld({ dir: "v2k-netmap-", domain: "v2k-t-netmap-", bridge: "v2knm" });
const { domain, bridge, tag } = world;
const missing = `v2k-nonet-${tag}`;
const inactive = `v2k-idle-${tag}`; // defined in libvirt, never started
let lv: LibvirtdHandle;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;

before(async () => {
  ({ lv, lab, dir, env } = await world.open());
  world.onClose((lv) => lv.virsh.run(["net-undefine", inactive]).then(() => undefined));
  const xml = join(dir, "net.xml");
  writeFileSync(xml, `<network><name>${inactive}</name><bridge name='v2kib${tag}'/></network>`);
  await lv.virsh.run(["net-define", xml]);
});
after(() => world.close());

const manifest = (w: string) => JSON.parse(readFileSync(join(w, "manifest.json"), "utf8"));
const prod = `dvpg-prod=${bridge}`; // web01's second NIC
const labVm = async (name: string) =>
  (await cliOk(["lab", "inventory", "--dir", lab.dir])).vms.find((v: { name: string }) => v.name === name);

test("storage networks lists the host's bridges and libvirt networks with their state", async () => {
  const r = await cliOk(["storage", "networks"]);
  assert.ok(r.bridges.includes(bridge), JSON.stringify(r));
  const idle = r.networks.find((n: { name: string }) => n.name === inactive);
  assert.equal(idle?.active, false, JSON.stringify(r.networks));
});

test("preflight: a map to a missing or inactive network is No-Go; an existing bridge passes", async () => {
  for (const [to, reason] of [
    [`network:${missing}`, /does not exist/],
    [`network:${inactive}`, /not active/],
  ] as const) {
    const r = await cli(["preflight", "--vm", "web01", "--dst", dir, "--network-map", `VM Network=${to},${prod}`], { env });
    assert.equal(r.code, 3, JSON.stringify(r.error ?? r.data));
    const c = r.data.checks.find((x: { id: string }) => x.id === "networks");
    assert.equal(c.status, "fail");
    assert.match(c.reason, reason);
  }
  const ok = await cli(["preflight", "--vm", "web01", "--dst", dir, "--network-map", `VM Network=${bridge}`, "--network-map", prod], {
    env,
  });
  const c = ok.data.checks.find((x: { id: string }) => x.id === "networks");
  assert.equal(c.status, "pass", c.reason);
  assert.equal(c.reason, `VM Network -> bridge:${bridge}, dvpg-prod -> bridge:${bridge}`);
});

test("cutover refuses a missing network before shutdown (the VMware VM stays on); a corrected map is saved", async () => {
  const W = join(dir, "wd");
  mkdirSync(join(dir, "dst"));
  await cliOk(
    ["--workdir", W, "init", "--vm", "web01", "--dst", join(dir, "dst"), "--network-map", `VM Network=network:${missing},${prod}`],
    {
      env,
    },
  );
  assert.deepEqual(manifest(W).networkMap, { "VM Network": `network:${missing}`, "dvpg-prod": `bridge:${bridge}` });
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  await cliOk(["--workdir", W, "sync", "base"], { env });
  assert.equal((await labVm("web01")).powerState, "poweredOn");

  const cut = ["--workdir", W, "cutover", "--shutdown", "poweroff", "--domain-name", domain, "--domain-type", "qemu", "--graphics", "none"];
  const refused = await cli(cut, { env });
  assert.equal(refused.ok, false);
  assert.equal(refused.error?.code, "NETWORK_MISSING", JSON.stringify(refused.error));
  assert.match(refused.error!.message, new RegExp(`VM Network -> network:${missing} \\(does not exist\\)`));
  assert.match(refused.error!.hint, /left running/);
  assert.equal((await labVm("web01")).powerState, "poweredOn", "the source was not shut down");
  assert.equal(manifest(W).cutover, undefined, "nothing of a cutover is recorded");
  assert.equal(manifest(W).phase, "base-synced");

  // the admin corrects the map on the cutover itself: it is saved, and the domain uses it
  const done = await cliOk([...cut, "--network-map", `VM Network=${bridge}`], { env });
  assert.equal(done.domainName, domain);
  assert.deepEqual(manifest(W).networkMap, { "VM Network": `bridge:${bridge}`, "dvpg-prod": `bridge:${bridge}` });
  assert.match((await lv.virsh.dumpXml(domain, true)) ?? "", new RegExp(`<source bridge='${bridge}'/>`));
  assert.equal((await labVm("web01")).powerState, "poweredOff");
});
