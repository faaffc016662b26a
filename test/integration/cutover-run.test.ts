// `run` against the lab: from nothing to a started KVM VM in one command (boot01 boots to its
// marker), and a run killed with -9 in the middle of its base copy that a detached re-run finishes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { hardwareKvm } from "../../src/helper/libvirt/virsh";
import { OperationRecord } from "../../src/shared/results";
import { type LibvirtdHandle } from "../support/libvirtd";
import { type TestLab, repoRoot } from "../support/lab";
import { LabMigrationWorld } from "../support/lab-migration";
import { cli, cliOk, entry } from "../unit/cutover/cli-helpers";

const world = new LabMigrationWorld({ dir: "v2k-cutover-run-", domain: "v2k-t-run-boot01-", bridge: "v2kcr" });
const { bridge, domain: bootDomain } = world;
const webDomain = world.alsoDomain(`v2k-t-run-web01-${world.tag}`);
let lv: LibvirtdHandle;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;
const pids: number[] = [];

before(async () => {
  ({ lv, lab, dir, env } = await world.open());
});

after(async () => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  await world.close();
});

const common = [
  "--until",
  "cutover",
  "--interval",
  "0",
  "--max-rounds",
  "3",
  "--cutover-when",
  "bytes<64M,seconds<120",
  "--shutdown",
  "poweroff",
  "--domain-type",
  "qemu",
  "--network-map-default",
  bridge,
  "--graphics",
  "none",
];

async function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function snapshotsOf(vm: string): Promise<unknown[]> {
  const inv = await cliOk(["lab", "inventory", "--dir", lab.dir]);
  return inv.vms.find((v: { name: string }) => v.name === vm).snapshots;
}

test("run: from nothing to a started KVM VM in one command; the migrated boot01 boots to its marker", async () => {
  const W = join(dir, "wd-boot01");
  const dst = join(dir, "dst-boot01");
  mkdirSync(dst);
  const t0 = Date.now();
  // the domain type is left to "auto": it must pick what really boots on this host
  const auto = common.filter((a, i) => a !== "--domain-type" && common[i - 1] !== "--domain-type");
  const r = await cliOk(["--workdir", W, "run", "--vm", "boot01", "--dst", dst, ...auto, "--domain-name", bootDomain], { env });
  assert.match((await lv.virsh.dumpXml(bootDomain))!, new RegExp(`<domain type='${hardwareKvm() ? "kvm" : "qemu"}'`));
  process.stderr.write(
    `run boot01: nothing -> started in ${((Date.now() - t0) / 1000).toFixed(1)} s, downtime ${(r.cutover.downtimeMs / 1000).toFixed(1)} s\n`,
  );
  assert.equal(r.phase, "started");
  assert.equal(r.criterionMet, true);
  assert.equal(r.incrRounds, 1, "an idle guest meets the criterion after one incremental round");
  assert.equal(r.cutover.started, true);
  assert.equal(r.verify.ok, true, "run checks the data between define and start");
  assert.equal(r.verify.mode, "quick");
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.deepEqual(
    m.rounds.map((x: { kind: string; status: string }) => `${x.kind}:${x.status}`),
    ["base:synced", "incr:synced", "final:synced"],
  );
  assert.equal(await lv.virsh.domState(bootDomain), "running");
  await waitFor("the boot marker on the migrated VM's console", 180_000, () => {
    const log = r.cutover.consoleLog as string;
    return existsSync(log) && readFileSync(log, "utf8").includes("V2K-BOOT-OK boot01") ? true : undefined;
  });
  assert.deepEqual(await snapshotsOf("boot01"), []);
  await lv.virsh.destroy(bootDomain);
});

test("run killed with -9 during its base copy, cutover killed during its final round; a detached re-run finishes it", async () => {
  const W = join(dir, "wd-web01");
  const dst = join(dir, "dst-web01");
  mkdirSync(dst);
  // slow vSphere answers so the base round is still between its snapshot and its commit when the kill lands
  await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "slow", "--ms", "300"]);
  const child = execa(
    process.execPath,
    ["--import", "tsx", entry, "--workdir", W, "--json", "run", "--vm", "web01", "--dst", dst, ...common, "--domain-name", webDomain],
    { cwd: repoRoot, env: { ...process.env, ...env }, reject: false, stdin: "ignore" },
  );
  pids.push(child.pid!);
  const events = join(W, "events.log");
  await waitFor("the base round to start copying", 120_000, () =>
    existsSync(events) && /round 0 \(base\) syncing/.test(readFileSync(events, "utf8")) ? true : undefined,
  );
  child.kill("SIGKILL");
  const killed = await child;
  assert.equal(killed.signal, "SIGKILL");
  await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "slow", "--ms", "0"]);
  const mid = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.equal(mid.rounds.at(-1).kind, "base");
  assert.notEqual(mid.rounds.at(-1).status, "synced", "killed before the base round finished");
  assert.equal((await snapshotsOf("web01")).length, 1, "the killed run left its snapshot behind");

  // resumed in the foreground up to "ready", then a cutover killed during its final round
  const ready = await cliOk(["--workdir", W, "run", "--until", "synced", "--interval", "0"], { env });
  assert.equal(ready.readyForCutover, true);
  assert.deepEqual(await snapshotsOf("web01"), [], "the resumed run settled the killed round's snapshot");
  await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "slow", "--ms", "300"]);
  const cut = execa(
    process.execPath,
    ["--import", "tsx", entry, "--workdir", W, "--json", "cutover", ...common.slice(8), "--domain-name", webDomain],
    { cwd: repoRoot, env: { ...process.env, ...env }, reject: false, stdin: "ignore" },
  );
  pids.push(cut.pid!);
  await waitFor("the final round to start", 120_000, () =>
    /round \d+ \(final\) syncing/.test(readFileSync(events, "utf8")) ? true : undefined,
  );
  cut.kill("SIGKILL");
  await cut;
  await cliOk(["lab", "fault", "--dir", lab.dir, "--kind", "slow", "--ms", "0"]);
  const killedCut = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.equal(killedCut.phase, "cutover-running");
  assert.ok(killedCut.cutover.sourceOffAt, "the source was off before the final round");
  assert.equal(killedCut.cutover.finalSyncedAt, undefined);
  assert.equal(await lv.virsh.exists(webDomain), false, "nothing is defined before the final sync is done");

  const d = await cliOk(["--workdir", W, "run", ...common, "--domain-name", webDomain, "--detach"], { env });
  assert.equal(d.detached, true);
  assert.equal(d.mode, "setsid"); // no systemd as PID 1 on test hosts
  pids.push(d.pid);
  // the background run holds the workdir: a second one is refused at once, its record untouched
  const second = await cli(["--workdir", W, "run", ...common, "--domain-name", webDomain, "--detach"], { env });
  assert.equal(second.error?.code, "WORKDIR_LOCKED");
  assert.equal(OperationRecord.parse(JSON.parse(readFileSync(join(W, "operation.json"), "utf8"))).pid, d.pid);
  const op = await waitFor("the detached run to finish", 240_000, () => {
    try {
      const rec = OperationRecord.parse(JSON.parse(readFileSync(join(W, "operation.json"), "utf8")));
      return rec.exitCode !== undefined ? rec : undefined;
    } catch {
      return undefined;
    }
  });
  assert.equal(op.exitCode, 0, readFileSync(join(W, "run.log"), "utf8").slice(-3000));
  assert.equal(op.pid, d.pid);
  assert.equal(existsSync(join(W, "run.pid")), false);
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  assert.equal(m.phase, "started");
  assert.ok(m.rounds.some((x: { kind: string; status: string }) => x.kind === "base" && x.status === "synced"));
  assert.equal(m.cutover.sourceOffAt, killedCut.cutover.sourceOffAt, "the resumed cutover kept its first record");
  assert.deepEqual(
    m.verify.map((v: { mode: string; ok: boolean }) => `${v.mode}:${v.ok}`),
    ["quick:true"],
  );
  assert.equal(m.rounds.filter((x: { kind: string; status: string }) => x.kind === "final" && x.status === "synced").length, 1);
  assert.equal(await lv.virsh.domState(webDomain), "running");
  assert.deepEqual(await snapshotsOf("web01"), [], "the leftover snapshot was settled");
  // the detached run logged JSON lines, and its result was ok
  const lines = readFileSync(join(W, "run.log"), "utf8")
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"));
  assert.equal(JSON.parse(lines.at(-1)!).ok, true);
  // rollback of a running migrated VM: stopped and undefined first, then the source runs again
  const rb = await cliOk(["--workdir", W, "rollback"], { env });
  assert.equal(rb.domainUndefined, true);
  assert.equal(rb.sourcePowerState, "poweredOn");
  assert.equal(await lv.virsh.exists(webDomain), false);
});
