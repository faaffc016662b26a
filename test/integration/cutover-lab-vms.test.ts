// Cutover of the lab's other VMs through the real CLI: multi-disk + multi-NIC web01 (raw targets,
// guest shutdown through VMware Tools), UEFI + secure-boot win01 (qcow2); the refusal while the
// source runs; cleanup removing only our snapshots (never a user's) and leftover qemu-nbd.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { execa } from "execa";
import { withVsphere } from "../../src/helper/vsphere/session";
import { validateDomainXml } from "../../src/helper/libvirt/validate";
import { addTestBridge, type LibvirtdHandle, removeDomains, removeTestBridge, startLibvirtd } from "../support/libvirtd";
import { type TestLab, startTestLab } from "../support/lab";
import { cli, cliOk, labEnv } from "../unit/cutover/cli-helpers";

const tag = randomBytes(3).toString("hex");
const web = `v2k-t-web01-${tag}`;
const win = `v2k-t-win01-${tag}`;
// cutover checks every target network exists and is active: real bridges and libvirt networks (bridge mode)
const front = `v2kf${tag}`;
const other = `v2ko${tag}`;
const backend = `v2k-backend-${tag}`;
const lan = `v2k-lan-${tag}`;
let lv: LibvirtdHandle;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;
const leftovers: { kill(signal: "SIGKILL"): unknown }[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "v2k-cutover-vms-"));
  lv = await startLibvirtd();
  lab = await startTestLab();
  env = labEnv(lab);
  for (const br of [front, other]) await addTestBridge(br);
  for (const net of [backend, lan]) {
    const xml = join(dir, `${net}.xml`);
    writeFileSync(xml, `<network><name>${net}</name><forward mode='bridge'/><bridge name='${front}'/></network>`);
    await lv.virsh.run(["net-define", xml]);
    await lv.virsh.run(["net-start", net]);
  }
});

after(async () => {
  for (const p of leftovers) p.kill("SIGKILL");
  if (lv) {
    await removeDomains(lv.virsh, [web, win]);
    for (const net of [backend, lan]) {
      await lv.virsh.run(["net-destroy", net]).catch(() => undefined);
      await lv.virsh.run(["net-undefine", net]).catch(() => undefined);
    }
    await lv.release();
  }
  for (const br of [front, other]) await removeTestBridge(br);
  if (lab) await lab.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function inventory(vm: string): Promise<{ powerState: string; snapshots: { moref: string; name: string }[] }> {
  const inv = await cliOk(["lab", "inventory", "--dir", lab.dir]);
  return inv.vms.find((v: { name: string }) => v.name === vm);
}

async function synced(vm: string, format: "raw" | "qcow2"): Promise<string> {
  const W = join(dir, `wd-${vm}`);
  const dst = join(dir, `dst-${vm}`);
  mkdirSync(dst);
  await cliOk(["--workdir", W, "init", "--vm", vm, "--dst", dst, "--target-format", format], { env });
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  await cliOk(["--workdir", W, "sync", "base"], { env });
  return W;
}

const manifest = (W: string) => JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));

test("web01 (2 disks, 2 NICs, raw): refused while running with --shutdown already-off; guest shutdown, define, verify", async () => {
  const W = await synced("web01", "raw");
  const opts = ["--domain-name", web, "--domain-type", "qemu", "--network-map", `VM Network=${front},dvpg-prod=network:${backend}`];
  // no host default either ("none"): the unmapped port group is the admin's choice
  const unmapped = await cli(
    ["--workdir", W, "cutover", "--shutdown", "guest", "--domain-name", web, "--network-map", `VM Network=${front}`],
    {
      env: { ...env, ABLESTACK_V2K_NETWORK_MAP_DEFAULT: "none" },
    },
  );
  assert.equal(unmapped.error?.code, "USAGE");
  assert.match(unmapped.error!.message, /dvpg-prod/);
  const refused = await cli(["--workdir", W, "cutover", "--shutdown", "already-off", ...opts], { env });
  assert.equal(refused.code, 1);
  assert.equal(refused.error?.code, "SOURCE_RUNNING");
  assert.equal((await inventory("web01")).powerState, "poweredOn", "the source was not touched");
  assert.equal(await lv.virsh.exists(web), false, "nothing was defined");
  assert.equal(manifest(W).cutover, undefined, "a refused cutover records nothing");
  assert.equal(manifest(W).phase, "base-synced");

  const c = await cliOk(["--workdir", W, "cutover", "--shutdown", "guest", "--shutdown-timeout", "120", ...opts], { env });
  assert.equal((await inventory("web01")).powerState, "poweredOff");
  assert.deepEqual((await inventory("web01")).snapshots, []);
  const m = manifest(W);
  assert.equal(m.cutover.shutdownMode, "guest");
  assert.equal(m.phase, "defined");
  const xml = (await lv.virsh.dumpXml(web, true))!;
  for (const d of m.disks)
    assert.match(
      xml,
      new RegExp(`<driver name='qemu' type='raw'[^>]*/>\\s*<source file='${d.target.path}'`),
      "raw targets are declared raw",
    );
  assert.match(xml, /<target dev='vda' bus='virtio'\/>[\s\S]*<target dev='vdb' bus='virtio'\/>/);
  for (const n of m.nics) assert.ok(xml.toLowerCase().includes(`<mac address='${n.mac.toLowerCase()}'/>`), `NIC ${n.label} keeps its MAC`);
  assert.match(xml, new RegExp(`<source bridge='${front}'/>`));
  assert.match(xml, new RegExp(`<source network='${backend}'/>`));
  assert.equal(readFileSync(c.xmlPath, "utf8").includes(`<name>${web}</name>`), true);

  // a re-run before start applies a corrected network map to the same domain (same uuid)
  const uuid = m.cutover.domainUuid;
  await cliOk(
    [
      "--workdir",
      W,
      "cutover",
      "--shutdown",
      "guest",
      "--domain-name",
      web,
      "--domain-type",
      "qemu",
      "--network-map",
      `VM Network=${other},dvpg-prod=network:${backend}`,
    ],
    { env },
  );
  const redefined = (await lv.virsh.dumpXml(web, true))!;
  assert.match(redefined, new RegExp(`<source bridge='${other}'/>`));
  assert.match(redefined, new RegExp(`<uuid>${uuid}</uuid>`));
  assert.equal(manifest(W).cutover.definedAt, m.cutover.definedAt, "the downtime record keeps the first define");

  const q = await cliOk(["--workdir", W, "verify", "--samples", "8"], { env });
  assert.deepEqual(
    q.disks.map((d: { disk: number; blocks: number }) => `${d.disk}:${d.blocks}`),
    ["2000:8", "16000:8"],
  );
});

test("win01 (UEFI + secure boot, qcow2): shutdown timeout, resumed cutover; secure-boot firmware autoselection validates and defines", async () => {
  const W = await synced("win01", "qcow2");
  const opts = ["--domain-name", win, "--domain-type", "qemu", "--network-map-default", `network:${lan}`];
  // the lab's guest needs 1.5 s to shut down: a shorter timeout fails, and the cutover resumes later
  const slow = await cli(["--workdir", W, "cutover", "--shutdown", "guest", "--shutdown-timeout", "0.2", ...opts], { env });
  assert.equal(slow.error?.code, "SHUTDOWN_TIMEOUT");
  assert.equal(manifest(W).cutover.shutdownMode, "guest");
  assert.equal(manifest(W).cutover.sourceOffAt, undefined);
  assert.equal(await lv.virsh.exists(win), false);
  await cliOk(["--workdir", W, "cutover", "--shutdown", "poweroff", ...opts], { env });
  assert.equal(manifest(W).cutover.shutdownMode, "guest", "the resumed cutover keeps its first record");
  assert.equal((await inventory("win01")).powerState, "poweredOff");
  const xml = (await lv.virsh.dumpXml(win, true))!;
  await validateDomainXml(xml);
  // firmware autoselection: libvirt picks a secure-boot firmware with enrolled keys from the host's descriptors
  assert.match(xml, /<os firmware='efi'>/);
  assert.match(xml, /<feature enabled='yes' name='secure-boot'\/>/);
  assert.match(xml, /<feature enabled='yes' name='enrolled-keys'\/>/);
  assert.doesNotMatch(xml, /OVMF/, "no distribution-specific firmware file names in what we define");
  assert.match(xml, /<smm state='on'\/>/);
  assert.match(xml, /<target dev='sda' bus='sata'\/>/, "no virtio drivers in a Windows guest before conversion");
  assert.match(xml, /<model type='e1000e'\/>/);
  assert.match(xml, /<driver name='qemu' type='qcow2'/);
  assert.match(xml, /<clock offset='localtime'/);
});

test("cleanup refuses --delete-target while the defined domain uses the disks", async () => {
  const W = join(dir, "wd-win01");
  const refused = await cli(["--workdir", W, "cleanup", "--delete-target"], { env });
  assert.equal(refused.error?.code, "PHASE_ORDER");
  assert.ok(manifest(W).disks.every((d: { target: { path: string } }) => existsSync(d.target.path)));
  assert.equal(await lv.virsh.exists(win), true);
});

test("cleanup removes only our snapshots and leftover qemu-nbd; a user's snapshot (even with a look-alike name) stays", async () => {
  const W = await synced("boot01", "qcow2");
  const m0 = manifest(W);
  // our snapshot of an open round (as a helper killed mid-round leaves it)
  const snap = await cliOk(["--workdir", W, "snapshot", "incr"], { env });
  assert.match(snap.snapshot, /^snapshot-\d+$/);
  // a user's snapshot taken outside the tool, named like ours
  const userSnap = await withVsphere({}, { env: { ...process.env, ...env }, readStdin: async () => "" }, m0.vcenter, ({ bridge }) =>
    bridge.snapshotCreate(m0.vm.moref, `ablestack-v2k ${m0.runId} round 9 incr`, "taken by an operator"),
  );
  // a leftover qemu-nbd serving the target (killed helper)
  const sock = join(dir, "leftover.sock");
  const qnbd = execa("qemu-nbd", ["--read-only", "--persistent", "--socket", sock, "--format", "qcow2", m0.disks[0].target.path], {
    reject: false,
  });
  leftovers.push(qnbd);
  for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(sock), "qemu-nbd serves the target");
  const legacyBefore = (await inventory("legacy01")).snapshots;
  assert.equal(legacyBefore.length, 1);

  const r = await cliOk(["--workdir", W, "cleanup"], { env });
  assert.deepEqual(r.snapshotsRemoved, [snap.snapshot]);
  assert.deepEqual(
    r.processesStopped.map((p: { program: string }) => p.program),
    ["qemu-nbd"],
  );
  await qnbd;
  const left = (await inventory("boot01")).snapshots.map((s) => s.moref);
  assert.deepEqual(left, [userSnap.moref], "the user's snapshot is untouched");
  assert.deepEqual((await inventory("legacy01")).snapshots, legacyBefore, "legacy01's user snapshot is untouched");
  const m = manifest(W);
  assert.equal(m.phase, "cleaned");
  assert.equal(m.cleanup.workdirKept, true);
  assert.ok(m.snapshots.every((s: { state: string }) => s.state === "removed"));
  assert.ok(existsSync(W), "the workdir is kept by default");
  assert.ok(existsSync(m0.disks[0].target.path), "the target is kept without --delete-target");
  // only when asked: the target and the workdir go
  await cliOk(["--workdir", W, "cleanup", "--delete-target", "--remove-workdir"], { env });
  assert.equal(existsSync(W), false);
  assert.equal(existsSync(m0.disks[0].target.path), false);
});

test("rollback before any cutover: our open snapshot goes, the running source is left as it is, no domain", async () => {
  const W = join(dir, "wd-boot01-early");
  const dst = join(dir, "dst-boot01-early");
  mkdirSync(dst);
  await cliOk(["--workdir", W, "init", "--vm", "boot01", "--dst", dst], { env });
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  const snap = await cliOk(["--workdir", W, "snapshot", "base"], { env });
  const before = (await inventory("boot01")).snapshots.map((s) => s.moref);
  assert.ok(before.includes(snap.snapshot));
  const r = await cliOk(["--workdir", W, "rollback"], { env });
  assert.equal(r.domainName, null);
  assert.equal(r.domainUndefined, false);
  assert.equal(r.sourcePoweredOn, false, "it was never shut down");
  assert.equal(r.sourcePowerState, "poweredOn");
  assert.deepEqual(r.snapshotsRemoved, [snap.snapshot]);
  assert.deepEqual(
    (await inventory("boot01")).snapshots.map((s) => s.moref),
    before.filter((m) => m !== snap.snapshot),
  );
  assert.equal(manifest(W).phase, "rolled-back");
});
