// Step options come from the helper's declarations: every offered option exists in its request, the
// helper's validation refuses on the page, defaults stay off the command line, the criterion follows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { REQUESTS } from "../../../src/shared/requests/commands";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import { stepOptionsArgs } from "../../../src/page/host/api";
import { AppState } from "../../../src/page/state/app-state";
import { FakeCockpit, eventLine, settle } from "./fake-cockpit";
import { sampleManifest } from "./fixtures";
import {
  STEP_OPTIONS,
  normalizeStepTexts,
  criterionOf,
  optionsArgvFor,
  parseStepOptions,
  stepOptionsArgv,
  stepOptionsSummary,
} from "../../../src/page/state/step-options";

test("every option a step offers is declared by the request it runs", () => {
  for (const [step, { request, names }] of Object.entries(STEP_OPTIONS)) {
    const decls = REQUESTS[request].decls as Record<string, unknown>;
    for (const n of names) assert.ok(n in decls, `${step}: --${n} is not an option of '${REQUESTS[request].words.join(" ")}'`);
  }
});

test("entries become the helper's values; refused ones carry the helper's message", () => {
  const ok = parseStepOptions("sync", { jobs: " 16 ", chunk: "8M", bwlimit: "50", "coalesce-gap": "" });
  assert.deepEqual(ok.errors, {});
  assert.deepEqual(ok.request, { jobs: 16, chunk: 8 * 1024 * 1024, bwlimit: 50 });
  const bad = parseStepOptions("sync", { jobs: "0", chunk: "lots", bwlimit: "-1" });
  assert.deepEqual(Object.keys(bad.errors).sort(), ["bwlimit", "chunk", "jobs"]);
  assert.deepEqual(bad.request, {});
});

test("argv: set values only, defaults left to the helper, flags as flags", () => {
  assert.deepEqual(stepOptionsArgv("sync", { jobs: "16", bwlimit: "50" }), ["--jobs", "16", "--bwlimit", "50"]);
  assert.deepEqual(stepOptionsArgv("verify", { mode: "quick" }), [], "quick is verify's default");
  assert.deepEqual(stepOptionsArgv("verify", { mode: "full", "no-agent": true }), ["--mode", "full", "--no-agent"]);
  assert.deepEqual(stepOptionsArgv("cutover", { convert: "none", "shutdown-timeout": "600", "disk-bus": "" }), [
    "--shutdown-timeout",
    "600",
    "--convert",
    "none",
  ]);
  assert.deepEqual(stepOptionsArgv("sync", { jobs: "x" }), [], "a refused entry is not sent");
  assert.deepEqual(optionsArgvFor("sync-incr", { sync: { jobs: "4" } }), ["--jobs", "4"]);
  assert.deepEqual(optionsArgvFor("rollback", { sync: { jobs: "4" } }), []);
  assert.deepEqual(stepOptionsSummary({ sync: { jobs: "4" }, verify: { mode: "quick" } }), ["sync: --jobs 4"]);
});

test("the cutover criterion of 'Sync until ready' is the page's readiness criterion", () => {
  assert.deepEqual(criterionOf({ "cutover-when": "bytes<64M,seconds<30" }), { maxChangedBytes: 64 * 1024 * 1024, maxSeconds: 30 });
  assert.equal(criterionOf({}), undefined);
  // half typed: the helper's message on the field, never a throw (the page validates on every key)
  assert.match(parseStepOptions("auto-sync", { "cutover-when": "b" }).errors["cutover-when"]!, /invalid --cutover-when part 'b'/);
  assert.equal(criterionOf({ "cutover-when": "bytes<" }), undefined);
  assert.equal(criterionOf(undefined), undefined);
});

test("the helper records a step's entries: --set NAME=VALUE each, a flag by name, an emptied step --clear", () => {
  assert.deepEqual(stepOptionsArgs("sync", { jobs: "16", bwlimit: "50" }), [
    "step-options",
    "sync",
    "--set",
    "jobs=16",
    "--set",
    "bwlimit=50",
  ]);
  assert.deepEqual(stepOptionsArgs("cutover", { "no-verify": true, convert: "none" }), [
    "step-options",
    "cutover",
    "--set",
    "no-verify",
    "--set",
    "convert=none",
  ]);
  assert.deepEqual(stepOptionsArgs("verify", {}), ["step-options", "verify", "--clear"]);
  assert.deepEqual(
    normalizeStepTexts("sync", { bwlimit: " 50 ", jobs: "16", chunk: "", "max-parallel-disks": false as never, mode: "x" }),
    {
      jobs: "16",
      bwlimit: "50",
    },
  );
});

test("saving options records only the steps that changed, and the options shown are the manifest's", async () => {
  const fake = new FakeCockpit();
  setCockpit(fake.asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k" });
  const state = new AppState();
  const workdir = "/srv/v2k/web01/r1";
  state.setRoute({ view: "migration", workdir });
  const recorded = { sync: { jobs: "16" }, verify: { mode: "full" } };
  fake.file(`${workdir}/manifest.json`).push(JSON.stringify(sampleManifest({ stepOptions: recorded })));
  assert.deepEqual(state.stepOptionsFor(workdir), recorded, "read back from the manifest, not from this page's memory");
  assert.deepEqual(state.stepOptionsFor("/srv/v2k/other/r2"), {});

  const before = fake.processes.length;
  const saving = state.setStepOptions(workdir, { sync: { jobs: "16" }, verify: {}, "auto-sync": { interval: "30" } });
  const calls: string[][] = [];
  for (let i = 0; i < 2; i++) {
    await settle();
    const p = fake.last();
    calls.push(p.argv.slice(p.argv.indexOf("step-options")));
    assert.ok(p.argv.includes(workdir));
    p.emit(eventLine({ type: "result", command: "step-options", ok: true, data: {} }));
    p.exit();
  }
  await saving;
  assert.equal(fake.processes.filter((p) => p.argv.includes("step-options")).length, 2, "sync is unchanged: not recorded again");
  assert.deepEqual(calls, [
    ["step-options", "auto-sync", "--set", "interval=30"],
    ["step-options", "verify", "--clear"],
  ]);
  assert.ok(fake.processes.length >= before + 2);
  state.dispose();
});
