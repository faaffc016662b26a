// The recorded step options as the terminal's defaults: what each command takes from which step, the
// command line winning, a hand-edited record refused with STEP_OPTIONS_INVALID, and the events.log line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { helperCommands } from "../../../src/helper/commands/index";
import { parseCommandLine } from "../../../src/kit/cli/main";
import { type CommandContext } from "../../../src/kit/cli/command";
import { Emitter } from "../../../src/kit/emitter";
import { V2kError } from "../../../src/shared/v2k-error";
import {
  recordedDefaults,
  recordedSummary,
  sourcesOf,
  withRecordedOptions,
  type RecordingCommand,
} from "../../../src/helper/commands/recorded-options";
import { type StepOptionTexts } from "../../../src/shared/requests/step-options";
import { sampleManifest } from "../page/fixtures";

const none = new Set<string>();
const defaultsOf = (command: RecordingCommand, recorded: StepOptionTexts, given = none, o: object = {}) =>
  recordedDefaults(command, sourcesOf(command, o), recorded, given);

test("sync takes the sync step's record; another step's record is not its", () => {
  const r = defaultsOf("sync", { sync: { jobs: "16", bwlimit: "50" }, "auto-sync": { chunk: "8M" }, cutover: { "disk-bus": "sata" } });
  assert.deepEqual(r.defaults, { jobs: "16", bwlimit: "50" });
  assert.deepEqual(
    r.applied.map((e) => `${e.step}:${e.name}`),
    ["sync:jobs", "sync:bwlimit"],
  );
});

test("what the command line gives wins: the recorded entry is listed as overridden, not applied", () => {
  const r = defaultsOf("sync", { sync: { jobs: "16", bwlimit: "50" } }, new Set(["jobs"]));
  assert.deepEqual(r.defaults, { bwlimit: "50" });
  assert.deepEqual(r.overridden, [{ step: "sync", name: "jobs", value: "16" }]);
  assert.equal(recordedSummary(r), "recorded step options applied (sync: --bwlimit 50); the command line's --jobs (sync recorded 16)");
});

test("run: auto-sync's entries first, sync's for the rest of its rounds; cutover's and verify's only when it cuts over", () => {
  const recorded: StepOptionTexts = {
    "auto-sync": { interval: "5", jobs: "4" },
    sync: { jobs: "16", chunk: "8M" },
    cutover: { "disk-bus": "sata", "verify-samples": "9" },
    verify: { mode: "full", samples: "100", seed: "abc" },
  };
  const synced = defaultsOf("run", recorded);
  assert.deepEqual(synced.defaults, { interval: "5", jobs: "4", chunk: "8M" }, "auto-sync's jobs wins over sync's");
  const cut = defaultsOf("run", recorded, none, { until: "cutover" });
  assert.deepEqual(cut.defaults, {
    interval: "5",
    jobs: "4",
    chunk: "8M",
    "disk-bus": "sata",
    "verify-samples": "9",
    verify: "full",
  });
  assert.equal(cut.applied.find((e) => e.name === "verify")?.step, "verify", "verify's mode is run's --verify");
  assert.deepEqual(Object.keys(defaultsOf("run", recorded, none, { split: "phase2" }).defaults).includes("disk-bus"), true);
  const onlyVerify = defaultsOf("run", { verify: { samples: "100" } }, none, { until: "cutover" });
  assert.deepEqual(onlyVerify.defaults, { "verify-samples": "100" }, "verify's samples for run's data check");
});

test("run: verify's boot mode is run's boot check before the start, with its marker and timeout", () => {
  const r = defaultsOf("run", { verify: { mode: "boot", "boot-marker": "re:ready", "boot-timeout": "90" } }, none, { until: "cutover" });
  assert.deepEqual(r.defaults, { verify: "boot", "boot-marker": "re:ready", "boot-timeout": "90" });
  assert.deepEqual(r.unfit, []);
  assert.equal(recordedSummary(r), "recorded step options applied (verify: --verify boot --boot-marker re:ready --boot-timeout 90)");
});

test("a hand-edited record is refused with STEP_OPTIONS_INVALID and a hint naming step-options", () => {
  const cases: [StepOptionTexts, RegExp][] = [
    [{ sync: { jobs: "0" } }, /--jobs '0': Number must be greater than or equal to 1/],
    [{ sync: { chunk: "lots" } }, /--chunk 'lots'/],
    [{ sync: { "password-file": "/root/pw" } }, /'password-file' is not one of its options/],
    [{ sync: { jobs: true } }, /--jobs/],
  ];
  for (const [recorded, message] of cases) {
    assert.throws(
      () => defaultsOf("sync", recorded),
      (e: unknown) => {
        assert.ok(e instanceof V2kError);
        assert.equal(e.code, "STEP_OPTIONS_INVALID");
        assert.match(e.message, message);
        assert.match(e.hint, /step-options sync --set NAME=VALUE/);
        assert.match(e.hint, /step-options sync --clear/);
        return true;
      },
    );
  }
});

test("no record, nothing applied: no events.log line", () => {
  assert.equal(recordedSummary(defaultsOf("cutover", {})), null);
});

/** The context main() gives a command, for a command line of the real command. */
function contextFor(command: string, args: string[], workdir: string, emitter = new Emitter()) {
  const c = helperCommands.find((x) => x.path.join(" ") === command)!;
  const line = parseCommandLine(c, args, "");
  const ctx: CommandContext = {
    global: { json: false, workdir, resume: false },
    emitter,
    signal: new AbortController().signal,
    readStdin: async () => "",
    given: line.given,
    withDefaults: line.withDefaults,
  };
  return { options: line.options as Record<string, unknown>, ctx };
}

function workdirWith(t: { after(fn: () => void): void }, stepOptions: StepOptionTexts) {
  const dir = mkdtempSync(join(tmpdir(), "v2k-recorded-"));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...sampleManifest({}), stepOptions }));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir };
}

test("withRecordedOptions: the record as if typed, through the command's own schema, the command line winning", (t) => {
  const w = workdirWith(t, { sync: { jobs: "16", chunk: "8M" }, verify: { "block-size": "2M", mode: "full" } });
  const sync = contextFor("sync", ["incr", "--jobs", "3"], w.dir);
  const merged = withRecordedOptions("sync", sync.options, sync.ctx).options as Record<string, unknown>;
  assert.equal(merged.jobs, 3, "typed");
  assert.equal(merged.chunk, 8 * 2 ** 20, "recorded, parsed as the command parses --chunk 8M");
  assert.deepEqual(merged.positionals, ["incr"]);

  const verify = contextFor("verify", [], w.dir);
  const v = withRecordedOptions("verify", verify.options, verify.ctx).options as Record<string, unknown>;
  assert.equal(v.mode, "full");
  assert.equal(v["block-size"], 2 * 2 ** 20, "verify's own block-size check applies");

  const events: string[] = [];
  const emitter = new Emitter();
  emitter.addSink({ write: (e) => void events.push(JSON.stringify(e)) });
  const typed = contextFor("sync", ["incr"], w.dir, emitter);
  withRecordedOptions("sync", typed.options, typed.ctx).report(emitter, "sync incr");
  assert.match(events.join("\n"), /recorded step options applied \(sync: --jobs 16 --chunk 8M\)/);
});

test("withRecordedOptions: a value the step's declaration takes but the command's own schema refuses is STEP_OPTIONS_INVALID", (t) => {
  const w = workdirWith(t, { verify: { "block-size": "3000" } }); // a size, but not a multiple of 4K
  const verify = contextFor("verify", [], w.dir);
  assert.throws(
    () => withRecordedOptions("verify", verify.options, verify.ctx),
    (e: unknown) =>
      e instanceof V2kError && e.code === "STEP_OPTIONS_INVALID" && /block-size/.test(e.message) && /step-options verify/.test(e.hint),
  );
});

test("withRecordedOptions: no workdir, or no manifest yet, leaves the options as typed", () => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-recorded-empty-"));
  try {
    const run = contextFor("run", ["--vm", "web01", "--dst", "/tmp"], dir);
    assert.equal(withRecordedOptions("run", run.options, run.ctx).options, run.options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("withRecordedOptions: the firmware chosen on the page is the cutover's --firmware; a typed one wins", (t) => {
  const w = workdirWith(t, { cutover: { firmware: "efi-secure" } });
  const recorded = contextFor("cutover", [], w.dir);
  assert.equal((withRecordedOptions("cutover", recorded.options, recorded.ctx).options as Record<string, unknown>).firmware, "efi-secure");
  const typed = contextFor("cutover", ["--firmware", "bios"], w.dir);
  assert.equal((withRecordedOptions("cutover", typed.options, typed.ctx).options as Record<string, unknown>).firmware, "bios");
  const unset = contextFor("cutover", [], workdirWith(t, {}).dir);
  assert.equal((withRecordedOptions("cutover", unset.options, unset.ctx).options as Record<string, unknown>).firmware, "auto");
});
