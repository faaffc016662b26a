// A scheduled cutover from the page: the admin's local time becomes one moment the helper accepts, the page's
// command line is the helper's `run --until cutover --cutover-at` with the steps' options, and the running
// job (or the run's own log line) tells the page for when the cutover is scheduled.
import { test } from "node:test";
import assert from "node:assert/strict";
import { helperCommands } from "../../../src/helper/commands/index";
import { findCommand } from "../../../src/kit/cli/registry";
import { parseCommandArgs } from "../../../src/kit/cli/main";
import { parseCutoverAt } from "../../../src/shared/requests/cutover-at";
import { type V2kEvent } from "../../../src/shared/events";
import { actionCommand, isLongAction } from "../../../src/page/host/api";
import { actions } from "../../../src/page/state/derive";
import { optionsArgvFor } from "../../../src/page/state/step-options";
import { localInputToIso, scheduledCutover, scheduleProblem, timezoneLabel } from "../../../src/page/state/schedule";
import { sampleManifest, syncedRound } from "./fixtures";

process.env.TZ = "Asia/Seoul"; // the admin's browser, nine hours east of the host's UTC

function helperParse(argv: string[]) {
  const found = findCommand(helperCommands, ["run"]);
  assert.ok(found);
  return parseCommandArgs(found.command, [...argv.slice(1), "--password-stdin"], "") as Record<string, unknown>;
}

test("the admin's local time becomes an ISO date-time with the browser's offset, the moment the helper takes", () => {
  const iso = localInputToIso("2026-12-05T02:00");
  assert.equal(iso, "2026-12-05T02:00:00+09:00");
  assert.equal(new Date(iso!).toISOString(), "2026-12-04T17:00:00.000Z");
  assert.equal(parseCutoverAt(iso!, new Date("2026-12-01T00:00:00Z")).toISOString(), "2026-12-04T17:00:00.000Z");
  assert.equal(localInputToIso("2026-12-05T02:00:30"), "2026-12-05T02:00:30+09:00");
  assert.equal(localInputToIso("2026-02-30T02:00"), null, "no such day");
  assert.equal(localInputToIso(""), null);
  assert.match(timezoneLabel(new Date("2026-12-05T00:00:00Z")), /^Asia\/Seoul, UTC\+09:00$/);
});

test("a time that is not in the future cannot be scheduled", () => {
  const now = Date.parse("2026-12-04T17:00:00Z");
  assert.equal(scheduleProblem("2026-12-05T02:00:00+09:00", now), "past", "exactly now is past (the helper refuses it too)");
  assert.equal(scheduleProblem("2026-12-05T02:01:00+09:00", now), null);
  assert.equal(scheduleProblem(null, now), "invalid");
});

test("Schedule cutover is the helper's run until cutover at that time, with the rounds' and the cutover's step options", () => {
  const base = actionCommand("schedule-cutover", {
    at: "2026-12-05T02:00:00+09:00",
    shutdown: "poweroff",
    start: false,
    networkMap: { "VM Network": "br0" },
  });
  const texts = {
    "auto-sync": { interval: "30", "max-rounds": "3", "cutover-when": "bytes<1M,seconds<5", jobs: "4" },
    cutover: { convert: "none", "shutdown-timeout": "120" },
    sync: { jobs: "16" },
  };
  const argv = [...base, ...optionsArgvFor("schedule-cutover", texts)];
  const run = helperParse(argv);
  assert.equal(run.until, "cutover");
  assert.equal(run["cutover-at"], "2026-12-05T02:00:00+09:00");
  assert.deepEqual([run.shutdown, run["define-only"], run["network-map"]], ["poweroff", true, ["VM Network=br0"]]);
  assert.deepEqual([run.interval, run.jobs, run.convert, run["shutdown-timeout"]], [30, 4, "none", 120]);
  assert.ok(!argv.includes("--max-rounds") && !argv.includes("--cutover-when"), "the time, not the criterion, ends the rounds");
  const started = helperParse(
    actionCommand("schedule-cutover", { at: "2026-12-05T02:00:00+09:00", shutdown: "guest", start: true, networkMap: {} }),
  );
  assert.equal(started["define-only"], false, "run starts the domain by default");
  assert.ok(isLongAction("schedule-cutover"), "it waits for hours: a background job");
});

test("Schedule cutover is offered once the base copy is synced, never before or after the cutover", () => {
  const synced = sampleManifest({ phase: "incr-synced", rounds: [syncedRound(0, "base", 5e9, 60000), syncedRound(1, "incr", 1e9, 30000)] });
  assert.ok(actions(synced, false).secondary.includes("schedule-cutover"));
  assert.ok(actions(synced, true).secondary.includes("schedule-cutover"));
  for (const phase of ["initialized", "defined", "started", "rolled-back"] as const) {
    const a = actions(sampleManifest({ phase }), false);
    assert.ok(a.primary !== "schedule-cutover" && !a.secondary.includes("schedule-cutover"), phase);
  }
});

const op = (argv: string[], exitCode?: number) => ({
  command: "run",
  pid: 42,
  startedAt: "2026-12-04T10:00:00Z",
  argv,
  ...(exitCode !== undefined ? { exitCode } : {}),
});
const log = (message: string, step = "run"): V2kEvent => ({
  type: "log",
  ts: "2026-12-04T10:00:01Z",
  seq: 1,
  step,
  level: "info",
  message,
});

test("the page reads the schedule from the running job's command line, else from the run's schedule field", () => {
  const argv = ["run", "--until", "cutover", "--cutover-at", "2026-12-05T02:00:00+09:00", "--password-stdin"];
  assert.equal(scheduledCutover(true, op(argv), [])?.toISOString(), "2026-12-04T17:00:00.000Z");
  assert.equal(scheduledCutover(false, op(argv), []), null, "nothing is scheduled once the job is gone");
  assert.equal(scheduledCutover(true, op(["sync", "incr"]), []), null);

  // typed in a terminal as HH:MM: only the run knows which day; its first line carries the moment as a field,
  // whatever language the line speaks
  const fields = { cutoverAt: "2026-12-04T17:00:00.000Z", intervalSec: 60 };
  const korean = { ...log("컷오버 예정 시각 2026-12-04T17:00:00.000Z: 그때까지 60초마다 증분 라운드를 실행합니다"), ...fields };
  const hm = op(["run", "--until", "cutover", "--cutover-at", "02:00"]);
  assert.equal(scheduledCutover(true, hm, [korean])?.toISOString(), "2026-12-04T17:00:00.000Z");
  assert.equal(
    scheduledCutover(true, null, [korean, log("증분 라운드 3: 1.0초 동안 0바이트 변경. 컷오버까지 50초")])?.toISOString(),
    "2026-12-04T17:00:00.000Z",
  );
  const ended: V2kEvent = { type: "result", ts: "2026-12-04T10:05:00Z", seq: 9, step: "run", command: "run", ok: false };
  assert.equal(scheduledCutover(true, null, [korean, ended]), null, "a run that ended left no schedule behind");
  assert.equal(scheduledCutover(true, null, [{ ...korean, step: "sync" }]), null, "only the run's own line");
  assert.equal(scheduledCutover(true, null, [log("the cutover is scheduled for tomorrow")]), null, "no field, no schedule");
});

test("a run of an earlier version, still waiting across an upgrade, is read from its English line", () => {
  const line = log("the cutover is scheduled for 2026-12-04T17:00:00.000Z; incremental rounds every 60 s until then");
  assert.equal(scheduledCutover(true, null, [line])?.toISOString(), "2026-12-04T17:00:00.000Z");
  assert.equal(scheduledCutover(true, null, [log("the cutover is scheduled for 2026-12-04T17:00:00.000Z;", "sync")]), null);
});
