// Step options come from the helper's declarations: every offered option exists in its request, the
// helper's validation refuses on the page, defaults stay off the command line, the criterion follows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { REQUESTS } from "../../../src/shared/requests/commands";
import {
  STEP_OPTIONS,
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
  assert.equal(criterionOf(undefined), undefined);
});
