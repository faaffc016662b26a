// Full migration of the lab's bootable VM boot01 through the real helper CLI: base, incremental
// rounds with guest writes (in the disk's unused area), cutover, verify quick/full/boot, a start
// under libvirt (qemu TCG) that boots to the guest's marker, a corrupted target block that verify
// names by offset, and a rollback that leaves the source running with no migration snapshot.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../src/kit/exec";
import { type LibvirtdHandle } from "../support/libvirtd";
import { execa } from "execa";
import { type TestLab, repoRoot } from "../support/lab";
import { LabMigrationWorld } from "../support/lab-migration";
import { waitForConsole } from "../support/console-log";
import { cli, cliOk, entry } from "../unit/cutover/cli-helpers";

const MiB = 1 << 20;
const world = new LabMigrationWorld({ dir: "v2k-cutover-boot01-", domain: "v2k-t-boot01-", bridge: "v2kbr" });
const { domain, bridge } = world;
world.alsoDomain(`${domain}-v2k-boot-check`);
let lv: LibvirtdHandle;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;
let W: string;

before(async () => {
  ({ lv, lab, dir, env } = await world.open());
});
after(() => world.close());

async function labSnapshots(vm: string): Promise<{ moref: string; name: string }[]> {
  const inv = await cliOk(["lab", "inventory", "--dir", lab.dir]);
  return inv.vms.find((v: { name: string }) => v.name === vm).snapshots;
}

async function labPower(vm: string): Promise<string> {
  const inv = await cliOk(["lab", "inventory", "--dir", lab.dir]);
  return inv.vms.find((v: { name: string }) => v.name === vm).powerState;
}

const cut = [
  "--shutdown",
  "poweroff",
  "--domain-name",
  domain,
  "--domain-type",
  "qemu",
  "--network-map-default",
  bridge,
  "--graphics",
  "none",
];

test("boot01: base, incremental rounds with guest writes, cutover, verify quick/full/boot, start boots to its marker", async () => {
  W = join(dir, "wd");
  const dst = join(dir, "dst");
  await exec("mkdir", ["-p", dst], { timeoutMs: 5000 });
  await cliOk(["--workdir", W, "init", "--vm", "boot01", "--dst", dst], { env });
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  await cliOk(["--workdir", W, "sync", "base"], { env });
  // guest writes behind the boot partition (1..41 MiB), so the disk still boots
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "boot01", "--disk", "0", "--offset", "64M", "--length", "1M", "--seed", "11"]);
  const r1 = await cliOk(["--workdir", W, "sync", "incr"], { env });
  assert.equal(r1.changedBytes, MiB);
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "boot01", "--disk", "0", "--offset", "96M", "--length", "2M", "--seed", "12"]);
  const r2 = await cliOk(["--workdir", W, "sync", "incr"], { env });
  assert.equal(r2.changedBytes, 2 * MiB);
  // a last write while the guest runs: only the final round can carry it
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "boot01", "--disk", "0", "--offset", "120M", "--length", "64K", "--seed", "13"]);
  const sourceHash = (await cliOk(["lab", "disk-hash", "--dir", lab.dir, "--vm", "boot01", "--disk", "0"])).sha256 as string;

  const early = await cli(["--workdir", W, "verify", "--mode", "boot", "--boot-timeout", "30"], { env });
  assert.equal(early.error?.code, "SOURCE_RUNNING", "no copy of the guest boots while the VMware VM runs");

  const c = await cliOk(["--workdir", W, "cutover", ...cut], { env });
  assert.equal(c.domainName, domain);
  assert.equal(c.started, false);
  assert.equal(await labPower("boot01"), "poweredOff");
  assert.equal(await lv.virsh.domState(domain), "shut off");
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.equal(m.phase, "defined");
  assert.ok(m.cutover.sourceOffAt && m.cutover.finalSyncedAt && m.cutover.convertedAt && m.cutover.definedAt);
  assert.equal(m.cutover.downtimeMs, Date.parse(m.cutover.definedAt) - Date.parse(m.cutover.sourceOffAt));
  const final = m.rounds.at(-1);
  assert.equal(final.kind, "final");
  assert.equal(final.changedBytes, 64 * 1024, "the final round carried the last write");
  assert.deepEqual(await labSnapshots("boot01"), [], "no migration snapshot is left");
  // the target equals the source, byte for byte (qemu-img reads the qcow2 as the guest will)
  const raw = join(dir, "target.raw");
  await exec("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", m.disks[0].target.path, raw], { timeoutMs: 60_000 });
  const targetHash = (await exec("sha256sum", [raw], { timeoutMs: 60_000 })).stdout.split(" ")[0];
  rmSync(raw);
  assert.equal(targetHash, sourceHash);

  const q = await cliOk(["--workdir", W, "verify", "--mode", "quick", "--samples", "16"], { env });
  assert.equal(q.ok, true);
  assert.match(q.seed, /^[0-9a-f]{16}$/);
  assert.equal(q.disks[0].blocks, 16);
  const full = await cli(["--workdir", W, "verify", "--mode", "full"], { env });
  assert.equal(full.ok, true, JSON.stringify(full.error));
  const f = full.data;
  assert.equal(f.disks[0].comparedBytes, 128 * MiB);
  const last = full.events.filter((e) => e.type === "progress" && e.step === "verify").at(-1);
  assert.deepEqual([last?.disk, last?.bytes, last?.total], [2000, 128 * MiB, 128 * MiB], "verify reports progress for the page");
  const b = await cliOk(
    ["--workdir", W, "verify", "--mode", "boot", "--boot-marker", "V2K-BOOT-OK boot01", "--boot-timeout", "180", "--no-agent"],
    { env },
  );
  assert.equal(b.boot.via, "console");
  assert.equal(await lv.virsh.domState(`${domain}-v2k-boot-check`), null, "the boot check's transient domain is gone");
  const recorded = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8")).verify;
  // the first quick verify is the one cutover ran between define and start
  assert.deepEqual(
    recorded.map((v: { mode: string; ok: boolean }) => `${v.mode}:${v.ok}`),
    ["quick:true", "quick:true", "full:true", "boot:true"],
  );
  assert.match(recorded[0].compared, /before the KVM domain first started \(cutover\)/);
  assert.equal(recorded[1].seed, q.seed);

  // resume the cutover with --start: the defined domain starts and the migrated guest boots
  const s = await cliOk(["--workdir", W, "cutover", ...cut, "--start"], { env });
  assert.equal(s.started, true);
  assert.equal(await lv.virsh.domState(domain), "running");
  const ms = await waitForConsole(c.consoleLog, /V2K-BOOT-OK boot01/, 180_000);
  process.stderr.write(`boot01 reached its marker under libvirt (TCG) ${(ms / 1000).toFixed(1)} s after start\n`);
  const m2 = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.equal(m2.phase, "started");
  assert.equal(m2.cutover.downtimeMs, Date.parse(m2.cutover.startedAt) - Date.parse(m2.cutover.sourceOffAt));
  assert.equal(m2.cutover.definedAt, m.cutover.definedAt, "a resumed cutover does not redo finished steps");
});

test("verify refuses a running domain, and a corrupted target block fails with its disk and offset", async () => {
  const running = await cli(["--workdir", W, "verify", "--mode", "full"], { env });
  assert.equal(running.error?.code, "PHASE_ORDER");
  await lv.virsh.destroy(domain);
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  const target = m.disks[0].target.path as string;
  await exec("qemu-io", ["-f", "qcow2", "-c", "write -P 0xab 73400320 4096", target], { timeoutMs: 30_000 }); // 70 MiB
  const r = await cli(["--workdir", W, "verify", "--mode", "full"], { env });
  assert.equal(r.code, 1);
  assert.equal(r.error?.code, "VERIFY_MISMATCH");
  assert.match(r.error!.message, /disk 2000 differs at offset 73400320 \(4096 bytes\)/);
  const last = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8")).verify.at(-1);
  assert.equal(last.ok, false);
  assert.deepEqual(last.mismatches, [{ disk: 2000, offset: 73400320, length: 4096 }]);
  // the same seed reproduces a quick check exactly; a sample over the bad block finds it too
  const q = await cli(["--workdir", W, "verify", "--mode", "quick", "--samples", "128"], { env });
  assert.equal(q.error?.code, "VERIFY_MISMATCH", "128 samples of 1 MiB cover the whole 128 MiB disk");
});

test("rollback after a started cutover and an interrupted boot check: domains gone, source powered on, no migration snapshot", async () => {
  await cliOk(["--workdir", W, "cutover", ...cut, "--start"], { env }); // already started: idempotent
  // a boot check killed with -9 leaves its transient domain running on overlays of the targets
  const check = `${domain}-v2k-boot-check`;
  const child = execa(
    process.execPath,
    ["--import", "tsx", entry, "--workdir", W, "--json", "verify", "--mode", "boot", "--boot-timeout", "300"],
    { cwd: repoRoot, env: { ...process.env, ...env }, reject: false, stdin: "ignore" },
  );
  for (let i = 0; i < 600 && (await lv.virsh.domState(check)) !== "running"; i++) await new Promise((r) => setTimeout(r, 100));
  child.kill("SIGKILL");
  await child;
  assert.equal(await lv.virsh.domState(check), "running", "the interrupted check's domain outlives the helper");
  const r = await cliOk(["--workdir", W, "rollback"], { env });
  assert.equal(await lv.virsh.domState(check), null, "rollback stopped the interrupted boot check");
  assert.equal(existsSync(join(W, "boot-check")), false);
  assert.equal(r.domainUndefined, true);
  assert.equal(r.sourcePoweredOn, true);
  assert.equal(await lv.virsh.domState(domain), null);
  assert.equal(await labPower("boot01"), "poweredOn");
  assert.deepEqual(await labSnapshots("boot01"), []);
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.equal(m.phase, "rolled-back");
  assert.equal(m.rollback.sourcePoweredOn, true);
  assert.ok(existsSync(m.disks[0].target.path), "disks are kept without --remove-disks");
  // safe to repeat; a run whose target disks rollback removed is not cut over again
  const again = await cliOk(["--workdir", W, "rollback", "--remove-disks"], { env });
  assert.equal(again.domainUndefined, false);
  assert.deepEqual(again.disksRemoved, [m.disks[0].target.path]);
  assert.equal((await cli(["--workdir", W, "cutover", ...cut], { env })).error?.code, "PHASE_ORDER");
});
