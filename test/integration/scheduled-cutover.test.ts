// `run --until cutover --cutover-at TIME` against the lab (fleet01) and real libvirt: incremental rounds
// keep the target current until the scheduled moment, the cutover (shutdown, final sync, define) begins
// only then; a time in the past or a schedule without a cutover is refused before anything runs. A run
// with --verify boot checks an isolated boot between define and start (fleet01 has no OS: it fails, and
// the domain is not started).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type LibvirtdHandle } from "../support/libvirtd";
import { LabMigrationWorld } from "../support/lab-migration";
import { cli, cliOk } from "../unit/cutover/cli-helpers";

const world = new LabMigrationWorld({ dir: "v2k-sched-", domain: "v2k-t-sched-", bridge: "v2ksc", scenario: "fleet" });
const { domain, bridge } = world;
world.alsoDomain(`${domain}-v2k-boot-check`);
let lv: LibvirtdHandle;
let dir: string;
let env: Record<string, string>;
let W = ""; // the scheduled run's workdir, cut over by the second test

before(async () => {
  ({ lv, dir, env } = await world.open());
});
after(() => world.close());

// the rehearsal's timing around the window is unit-tested (test/unit/run/window.test.ts): minutes under TCG here
const cutoverArgs = ["--convert", "none", "--shutdown", "poweroff", "--define-only", "--domain-type", "qemu", "--graphics", "none"];
const networks = ["--network-map-default", bridge];

test("a schedule in the past, or without a cutover, is refused before anything runs", async () => {
  const W = join(dir, "wd-refused");
  const past = await cli(
    ["--workdir", W, "run", "--vm", "fleet02", "--dst", dir, "--until", "cutover", "--cutover-at", "2020-01-01T00:00Z"],
    {
      env,
    },
  );
  assert.equal(past.code, 2);
  assert.equal(past.error?.code, "USAGE");
  assert.match(past.error!.message, /in the past/);
  const synced = await cli(["--workdir", W, "run", "--vm", "fleet02", "--dst", dir, "--cutover-at", "23:59"], { env });
  assert.equal(synced.error?.code, "USAGE");
  assert.match(synced.error!.message, /needs --until cutover/);
  const garbage = await cli(["--workdir", W, "run", "--vm", "fleet02", "--dst", dir, "--until", "cutover", "--cutover-at", "soon"], {
    env,
  });
  assert.equal(garbage.error?.code, "USAGE");
  assert.equal(existsSync(W), false, "no workdir was created");
});

test("run --cutover-at: incremental rounds until the scheduled time, then the cutover", async () => {
  W = join(dir, "wd");
  const dst = join(dir, "dst");
  mkdirSync(dst);
  const at = new Date(Date.now() + 40_000);
  const args = ["--workdir", W, "run", "--vm", "fleet01", "--dst", dst, "--until", "cutover", "--cutover-at", at.toISOString()];
  const r = await cliOk([...args, "--interval", "4", "--domain-name", domain, ...cutoverArgs, ...networks], { env, timeoutMs: 600_000 });
  assert.equal(r.phase, "defined");
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  const incr = m.rounds.filter((x: { kind: string }) => x.kind === "incr");
  assert.ok(incr.length >= 2, `incremental rounds while waiting: ${incr.length}`);
  assert.equal(r.incrRounds, incr.length);
  const timeline = readFileSync(join(W, "events.log"), "utf8")
    .split("\n")
    .filter((l) => /"(phase|log)"/.test(l))
    .map((l) => JSON.parse(l))
    .map((e) => `${e.ts} ${e.step} ${e.message}`)
    .join("\n");
  const requested = Date.parse(m.cutover.requestedAt);
  assert.ok(requested >= at.getTime(), `cutover requested ${m.cutover.requestedAt}, scheduled ${at.toISOString()}`);
  assert.ok(requested - at.getTime() < 30_000, `the cutover began when the window opened, not a round later:\n${timeline}`);
  assert.ok(Date.parse(m.cutover.sourceOffAt) >= at.getTime(), "the source ran until the scheduled time");
  for (const x of incr) assert.ok(Date.parse(x.startedAt) < at.getTime(), `round ${x.n} started before the window`);
  const events = readFileSync(join(W, "events.log"), "utf8");
  assert.match(events, new RegExp(`the cutover is scheduled for ${at.toISOString().replace(/\./g, "\\.")}`));
  const scheduled = events
    .split("\n")
    .filter((l) => l.includes('"cutoverAt"'))
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    scheduled.map((e) => [e.step, e.cutoverAt, e.intervalSec]),
    [["run", at.toISOString(), 4]],
    "the schedule as fields, once (init's and run's events.log are one sink)",
  );
  assert.equal(await lv.virsh.domState(domain), "shut off");
});

test("run --verify boot: the isolated boot check runs between define and start, and its failure keeps the domain stopped", async () => {
  assert.ok(W, "the scheduled run's workdir");
  const boot = ["--verify", "boot", "--boot-marker", "V2K-NEVER-SHOWN", "--boot-timeout", "4", "--no-agent"];
  const r = await cli(["--workdir", W, "run", "--until", "cutover", ...boot, "--domain-name", domain, ...cutoverArgs, ...networks], {
    env,
    timeoutMs: 300_000,
  });
  assert.equal(r.error?.code, "VERIFY_MISMATCH", JSON.stringify(r.error));
  assert.match(r.error!.message, /did not show 'V2K-NEVER-SHOWN' within 4 s/);
  const m = JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
  const last = m.verify.at(-1);
  assert.deepEqual([last.mode, last.ok], ["boot", false], "the boot check is recorded");
  assert.equal(m.phase, "defined", "nothing started after the failed check");
  assert.equal(await lv.virsh.domState(domain), "shut off");
  assert.equal(await lv.virsh.domState(`${domain}-v2k-boot-check`), null, "the check's transient domain is gone");
});
