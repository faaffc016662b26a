// `step-options` through the built CLI: the options of the page's steps recorded in the manifest (atomically,
// under the workdir's lock), refused entries change nothing and name the helper's reason, nothing outside a
// step's options (a password file, say) can be recorded, and a recorded failure (lastError) is left as it is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHelper } from "../support/helper-process";
import { acquireLock } from "../../src/helper/state/index";
import { sampleManifest } from "../unit/page/fixtures";

function workdirWith(extra: Record<string, unknown> = {}): { dir: string; done(): void } {
  const root = mkdtempSync(join(tmpdir(), "v2k-step-options-cli-"));
  const dir = join(root, "web01", "run");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...sampleManifest({}), ...extra }));
  return { dir, done: () => rmSync(root, { recursive: true, force: true }) };
}

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Record<string, any>;

async function cli(dir: string, ...args: string[]) {
  return startHelper(["--workdir", dir, "step-options", ...args]).done;
}

test("step-options records each step's entries as typed, shows them, and clears one step", async (t) => {
  const lastError = { code: "TIMEOUT", message: "the last sync timed out", hint: "Run it again." };
  const w = workdirWith({ lastError });
  t.after(w.done);
  let r = await cli(w.dir, "sync", "--set", "jobs=16", "--set", "bwlimit= 50 ");
  assert.equal(r.status, 0, r.stdout);
  assert.deepEqual(r.result.data, { step: "sync", options: { jobs: "16", bwlimit: "50" }, argv: ["--jobs", "16", "--bwlimit", "50"] });
  r = await cli(w.dir, "auto-sync", "--set", "cutover-when=bytes<64M,seconds<60", "--set", "interval=30");
  assert.equal(r.status, 0, r.stdout);
  r = await cli(w.dir, "cutover", "--set", "no-verify", "--set", "disk-bus=sata");
  assert.equal(r.status, 0, r.stdout);
  assert.deepEqual(manifestOf(w.dir).stepOptions, {
    sync: { jobs: "16", bwlimit: "50" },
    "auto-sync": { interval: "30", "cutover-when": "bytes<64M,seconds<60" }, // in the declarations' order
    cutover: { "no-verify": true, "disk-bus": "sata" },
  });
  assert.deepEqual(manifestOf(w.dir).lastError, lastError, "recording options is not a step: the last failure stays shown");

  r = await cli(w.dir);
  assert.equal(r.status, 0, r.stdout);
  const shown = Object.fromEntries((r.result.data.steps as { step: string; argv: string[] }[]).map((s) => [s.step, s.argv.join(" ")]));
  assert.deepEqual(shown, {
    sync: "--jobs 16 --bwlimit 50",
    "auto-sync": "--interval 30 --cutover-when bytes<67108864,seconds<60",
    verify: "",
    cutover: "--no-verify --disk-bus sata",
  });

  r = await cli(w.dir, "sync", "--clear");
  assert.equal(r.status, 0, r.stdout);
  assert.equal(manifestOf(w.dir).stepOptions.sync, undefined);
  const events = readFileSync(join(w.dir, "events.log"), "utf8");
  assert.match(events, /"message":"sync: --jobs 16 --bwlimit 50"/, "each record is in the history");
});

test("step-options refuses what the step's command would refuse, and anything else, changing nothing", async (t) => {
  const w = workdirWith({ stepOptions: { sync: { jobs: "4" } } });
  t.after(w.done);
  const before = readFileSync(join(w.dir, "manifest.json"), "utf8");
  const refusals: [string[], RegExp][] = [
    [["sync", "--set", "jobs=0"], /--jobs: Number must be greater than or equal to 1/],
    [["sync", "--set", "chunk=lots"], /--chunk/],
    [["cutover", "--set", "password-file=/root/pw"], /'password-file' is not one of its options/],
    [["verify", "--set", "interval=5"], /'interval' is not one of its options/],
    [["cutover", "--set", "no-verify=yes"], /--no-verify is a flag/],
    [["--set", "jobs=4"], /need a step/],
    [["sync", "--set", "jobs=4", "--clear"], /together/],
  ];
  for (const [args, message] of refusals) {
    const r = await cli(w.dir, ...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}`);
    assert.equal(r.result.error?.code, "USAGE", args.join(" "));
    assert.match(r.result.error.message, message);
    assert.ok(r.result.error.hint, "a hint names the next step");
  }
  const unknownStep = await cli(w.dir, "copy", "--set", "jobs=4");
  assert.equal(unknownStep.status, 2, unknownStep.stdout);
  assert.equal(readFileSync(join(w.dir, "manifest.json"), "utf8"), before, "nothing was written");
});

test("step-options while a step runs: its lock refuses the record (WORKDIR_LOCKED), the manifest untouched", async (t) => {
  const w = workdirWith();
  t.after(w.done);
  const lock = acquireLock(w.dir, "sync incr");
  try {
    const r = await cli(w.dir, "sync", "--set", "jobs=8");
    assert.equal(r.status, 1, r.stdout);
    assert.equal(r.result.error?.code, "WORKDIR_LOCKED");
    assert.equal(manifestOf(w.dir).stepOptions, undefined);
  } finally {
    lock.release();
  }
});
