// libvirtd stopped or crashed around a cutover and a rollback, with the real daemon (SIGKILL) and the lab:
// a cutover refuses before the VMware VM is shut down when libvirt does not answer; a crash after the
// shutdown stops the cutover with LIBVIRT_UNAVAILABLE and the manifest saying how far it got, and the same
// command resumes once libvirtd is back (no second shutdown, no second final sync); a rollback never powers
// the source on while it cannot see the KVM domain. Kills the shared daemon: run with the other suites one
// file at a time (make check does).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { addTestBridge, crashLibvirtd, type LibvirtdHandle, removeDomains, removeTestBridge, startLibvirtd } from "../support/libvirtd";
import { type TestLab, startTestLab } from "../support/lab";
import { cli, cliOk, labEnv } from "../unit/cutover/cli-helpers";

const tag = randomBytes(3).toString("hex");
const domain = `v2k-t-lvcrash-${tag}`;
const bridge = `v2klc${tag}`;
let lv: LibvirtdHandle;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "v2k-lvcrash-"));
  chmodSync(dir, 0o755);
  lv = await startLibvirtd();
  lab = await startTestLab({ scenario: "minimal" });
  env = labEnv(lab);
  await addTestBridge(bridge);
});

after(async () => {
  lv = await startLibvirtd(); // whatever a failed assertion left, the daemon runs again for the next suite
  await removeDomains(lv.virsh, [domain]);
  await lv.release();
  await removeTestBridge(bridge);
  if (lab) await lab.stop();
  rmSync(dir, { recursive: true, force: true });
});

const W = () => join(dir, "wd");
const manifest = () => JSON.parse(readFileSync(join(W(), "manifest.json"), "utf8"));
const events = () => (existsSync(join(W(), "events.log")) ? readFileSync(join(W(), "events.log"), "utf8") : "");
const powerState = async () =>
  (await cliOk(["lab", "inventory", "--dir", lab.dir])).vms.find((v: { name: string }) => v.name === "web01").powerState;
const cutover = ["cutover", "--shutdown", "poweroff", "--domain-name", domain, "--domain-type", "qemu", "--graphics", "none"];

test("a cutover with libvirtd down is refused while the VMware VM still runs", async () => {
  mkdirSync(join(dir, "dst"));
  const map = ["--network-map", `VM Network=${bridge}`, "--network-map", `dvpg-prod=${bridge}`];
  await cliOk(["--workdir", W(), "init", "--vm", "web01", "--dst", join(dir, "dst"), ...map], { env });
  await cliOk(["--workdir", W(), "cbt", "enable"], { env });
  await cliOk(["--workdir", W(), "sync", "base"], { env });

  await crashLibvirtd();
  const refused = await cli(["--workdir", W(), ...cutover], { env });
  assert.equal(refused.error?.code, "LIBVIRT_UNAVAILABLE", JSON.stringify(refused.error));
  assert.match(refused.error!.hint, /Start libvirtd/);
  assert.equal(await powerState(), "poweredOn", "the source was not shut down");
  assert.equal(manifest().cutover, undefined, "nothing of a cutover is recorded");
  assert.equal(manifest().phase, "base-synced");
  lv = await startLibvirtd();
});

test("libvirtd crashing after the shutdown: the cutover stops with the manifest saying so, and resumes", async () => {
  // the final snapshot's task is held 4 s, so libvirtd is dead well before the cutover could define
  await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "slow-task", "--task", "CreateSnapshot", "--ms", "4000"]);
  const run = cli(["--workdir", W(), ...cutover], { env });
  let crashed = false;
  for (const end = Date.now() + 120_000; Date.now() < end && !crashed;) {
    if (/the VMware VM is powered off/.test(events())) {
      await crashLibvirtd();
      crashed = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stopped = await run;
  assert.ok(crashed, "libvirtd was killed once the source was off");
  assert.equal(stopped.error?.code, "LIBVIRT_UNAVAILABLE", JSON.stringify(stopped.error));
  const m = manifest();
  assert.ok(m.cutover.sourceOffAt, "the manifest records the source as off");
  assert.ok(m.cutover.finalSyncedAt, "the final sync finished before libvirt was needed");
  assert.equal(m.cutover.definedAt, undefined, "not defined");
  assert.equal(m.phase, "final-synced");
  assert.equal(await powerState(), "poweredOff");

  lv = await startLibvirtd();
  const snapshotsBefore = events().match(/created snapshot/g)?.length ?? 0;
  const resumed = await cliOk(["--workdir", W(), ...cutover], { env });
  assert.equal(resumed.domainName, domain);
  assert.equal(resumed.sourceOffAt, m.cutover.sourceOffAt, "the source went off once");
  assert.equal(events().match(/created snapshot/g)?.length ?? 0, snapshotsBefore, "no second final snapshot");
  assert.match(events(), /cutover resumes \(phase final-synced\)/);
  assert.equal(await lv.virsh.domState(domain), "shut off");
  assert.equal(manifest().phase, "defined");
});

test("rollback with libvirtd down leaves the VMware VM off; once libvirtd is back it undefines and powers on", async () => {
  await crashLibvirtd();
  const refused = await cli(["--workdir", W(), "rollback"], { env });
  assert.equal(refused.error?.code, "LIBVIRT_UNAVAILABLE", JSON.stringify(refused.error));
  assert.equal(await powerState(), "poweredOff", "never both: the source stays off while the KVM domain is unseen");
  assert.equal(manifest().phase, "defined");

  lv = await startLibvirtd();
  assert.equal(await lv.virsh.domState(domain), "shut off", "the domain survived the crash");
  const done = await cliOk(["--workdir", W(), "rollback"], { env });
  assert.equal(done.domainUndefined, true);
  assert.equal(await lv.virsh.domState(domain), null);
  assert.equal(await powerState(), "poweredOn");
  assert.equal(manifest().phase, "rolled-back");
});
