// The page's command lines are derived from the helper's declarations: each parses with the helper's
// own parser into what the page asked for, and the page's criterion is the helper's default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { helperCommands } from "../../../src/helper/commands/index";
import { findCommand } from "../../../src/kit/cli/registry";
import { parseCommandArgs, parseCommandLine } from "../../../src/kit/cli/main";
import { actionCommand, connectionArgs } from "../../../src/page/host/api";
import { DEFAULT_CRITERION } from "../../../src/page/state/derive";
import { optionsArgvFor, scheduledCheck, type StepOptionTexts } from "../../../src/page/state/step-options";
import { recordedDefaults, sourcesOf } from "../../../src/shared/requests/recorded-steps";

const conn = { url: "https://vc.example/sdk", username: "admin@vsphere.local", password: "s3cret", thumbprint: "AA:BB" };
function helperParse(argv: string[]) {
  const words = argv.slice(0, argv.findIndex((a) => a.startsWith("-")) >>> 0);
  const found = findCommand(helperCommands, words);
  assert.ok(found, argv.join(" "));
  return parseCommandArgs(found.command, [...found.rest, ...argv.slice(words.length), ...connectionArgs(conn)], "") as Record<
    string,
    unknown
  >;
}

test("every page action is a command line the helper accepts, with the options the page chose", () => {
  assert.deepEqual(helperParse(actionCommand("sync-incr")).positionals, ["incr"]);
  const run = helperParse(actionCommand("auto-sync"));
  assert.equal(run.until, "synced");
  assert.equal(run.interval, 60, "the helper's default interval");
  assert.equal(helperParse(actionCommand("verify")).mode, "quick");
  const cut = helperParse(actionCommand("cutover", { shutdown: "poweroff", start: true, networkMap: { "VM Network": "br0", x: "" } }));
  assert.deepEqual([cut.shutdown, cut.start, cut["network-map"]], ["poweroff", true, ["VM Network=br0"]]);
  const start = helperParse(actionCommand("start"));
  assert.deepEqual([start.start, start["network-map"]], [true, undefined], "start uses the map the manifest holds");
  assert.equal(helperParse(actionCommand("rollback", { removeDisks: true }))["remove-disks"], true);
  assert.equal(helperParse(actionCommand("cleanup", { deleteTarget: false }))["delete-target"], false);
  const c = helperParse(actionCommand("cbt-enable"));
  assert.deepEqual([c.vcenter, c.username, c.thumbprint, c["password-stdin"]], [conn.url, conn.username, "AA:BB", true]);
  assert.ok(!connectionArgs(conn).includes(conn.password), "the password never goes in argv");
});

test("the page's cutover criterion is the helper's run default", () => {
  const run = helperParse(["run"]);
  assert.deepEqual(run["cutover-when"], { maxBytes: DEFAULT_CRITERION.maxChangedBytes, maxSeconds: DEFAULT_CRITERION.maxSeconds });
});

const AT = "2030-01-02T03:00:00+09:00";
/** The command line a cutover scheduled from the page starts, with the step options recorded as `texts`. */
function scheduledArgv(texts: StepOptionTexts): string[] {
  const own = actionCommand("schedule-cutover", { at: AT, shutdown: "poweroff", start: true, networkMap: { "VM Network": "br0" } });
  return [...own, ...optionsArgvFor("schedule-cutover", texts, own)];
}

test("a scheduled cutover carries verify's recorded mode and samples, and a boot check's options, as run's", () => {
  const texts: StepOptionTexts = {
    "auto-sync": { interval: "5", "max-rounds": "3", "cutover-when": "bytes<1M" },
    sync: { jobs: "8" },
    cutover: { convert: "none", "disk-bus": "sata" },
    verify: { mode: "full", samples: "32", seed: "abc", "block-size": "2M" },
  };
  const argv = scheduledArgv(texts);
  const run = helperParse(argv);
  assert.deepEqual([run.until, run["cutover-at"], run.shutdown, run["define-only"]], ["cutover", AT, "poweroff", false]);
  assert.deepEqual([run.verify, run["verify-samples"]], ["full", 32], argv.join(" "));
  assert.deepEqual([run.interval, run.jobs, run.convert, run["disk-bus"]], [5, 8, "none", "sata"], "the rounds' and the cutover's");
  assert.ok(!argv.includes("--max-rounds") && !argv.includes("--cutover-when"), "the time ends the rounds, not the criterion");

  const boot = helperParse(
    scheduledArgv({ verify: { mode: "boot", "boot-marker": "re:ready", "boot-timeout": "90", "no-agent": true, samples: "7" } }),
  );
  assert.deepEqual(
    [boot.verify, boot["boot-marker"], boot["boot-timeout"], boot["no-agent"], boot["verify-samples"]],
    ["boot", "re:ready", 90, true, 7],
  );
  const dashed = helperParse(scheduledArgv({ verify: { mode: "boot", "boot-marker": "--- ready ---" } }));
  assert.equal(dashed["boot-marker"], "--- ready ---", "a marker that looks like an option");
  const verify = helperParse([
    ...actionCommand("verify"),
    ...optionsArgvFor("verify", { verify: { mode: "boot", "boot-marker": "-ok-" } }),
  ]);
  assert.deepEqual([verify.mode, verify["boot-marker"]], ["boot", "-ok-"], "the same for the page's own verify");
  // cutover's own entries come first, as the helper takes them: its samples, and --no-verify over verify's mode
  const cut = helperParse(
    scheduledArgv({ cutover: { "verify-samples": "9", "no-verify": true }, verify: { mode: "full", samples: "32" } }),
  );
  assert.deepEqual([cut["verify-samples"], cut["no-verify"], cut.verify], [9, true, "full"]);
});

test("the scheduled command line asks what the helper would take from the record itself (the time aside)", () => {
  const texts: StepOptionTexts = {
    "auto-sync": { interval: "5", bwlimit: "40" },
    sync: { jobs: "8", chunk: "8M" },
    cutover: { memory: "2G", "verify-samples": "9" },
    verify: { mode: "boot", "boot-timeout": "60", samples: "32" },
  };
  const run = findCommand(helperCommands, ["run"])!.command;
  const parse = (argv: string[]) => parseCommandLine(run, [...argv.slice(1), ...connectionArgs(conn)], "");
  const asTyped = parse(scheduledArgv(texts));
  const bare = parse(scheduledArgv({}));
  const applied = bare.withDefaults(recordedDefaults("run", sourcesOf("run", bare.options as object), texts, bare.given).defaults);
  assert.deepEqual(asTyped.options, applied);
  assert.notDeepEqual(bare.options, applied, "the record changes something");
});

test("the schedule dialog names the check the scheduled run makes before the start", () => {
  assert.equal(scheduledCheck({}), "quick", "run's default");
  assert.equal(scheduledCheck({ verify: { mode: "full" } }), "full");
  assert.equal(scheduledCheck({ verify: { mode: "boot" } }), "boot");
  assert.equal(scheduledCheck({ verify: { mode: "boot" }, cutover: { "no-verify": true } }), "none", "cutover's no verify wins");
  assert.equal(scheduledCheck({ verify: { mode: "sometimes" } }), null, "a record the helper refuses");
});
