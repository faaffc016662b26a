// Guest conversion as its own timeline step and card: the rehearsal (ok, no OS, failed, stale after a later
// round) and the cutover's conversion (running, converted, committed, skipped with its reason, failed with the hint).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ConversionRecord, type Manifest } from "../../../src/shared/manifest";
import { conversionView } from "../../../src/page/state/conversion-view";
import { timeline } from "../../../src/page/state/derive";
import { sampleManifest, syncedRound } from "./fixtures";

const rounds = [syncedRound(0, "base", 5e9, 60000), syncedRound(1, "incr", 1e6, 2000)];
const rehearsal = {
  state: "ok" as const,
  afterRound: 1,
  at: "2026-01-01T00:50:00.000Z",
  durationMs: 61000,
  logPath: "/w/convert-rehearsal.log",
};
const record = (over: Partial<ConversionRecord>): ConversionRecord => ({
  policy: "auto",
  tool: "virt-v2v",
  reason: "Linux: virt-v2v rebuilds the initramfs with virtio drivers",
  virtio: true,
  state: "running",
  startedAt: "2026-01-01T01:02:00.000Z",
  ...over,
});
const cutover = (conversion?: ConversionRecord) => ({
  shutdownMode: "guest" as const,
  requestedAt: "2026-01-01T01:00:00.000Z",
  finalSyncedAt: "2026-01-01T01:01:00.000Z",
  ...(conversion ? { conversion } : {}),
});
const status = (m: Manifest, running = false) => timeline(m, running).find((s) => s.id === "convert")?.status;
const convError = {
  code: "CONVERSION_FAILED" as const,
  message: "guest conversion failed: no root",
  hint: "Read /w/convert.log, fix the cause.",
};

test("the rehearsal before the cutover: ok, no OS, failed (the step fails, the hint shown), stale after a later round", () => {
  const ok = sampleManifest({ phase: "incr-synced", rounds, conversionRehearsal: rehearsal });
  const { afterRound: _round, ...shown } = rehearsal;
  assert.deepEqual(conversionView(ok, false).rehearsal, { ...shown, os: null, stale: false });
  assert.equal(status(ok), "pending");
  const later = sampleManifest({
    phase: "incr-synced",
    rounds: [...rounds, syncedRound(2, "incr", 1e6, 2000)],
    conversionRehearsal: rehearsal,
  });
  assert.equal(conversionView(later, false).rehearsal?.stale, true, "the cutover rehearses again on the newer copy");
  const noOs = sampleManifest({ phase: "incr-synced", rounds, conversionRehearsal: { ...rehearsal, state: "no-os" } });
  assert.equal(conversionView(noOs, false).rehearsal?.state, "no-os");
  const failed = sampleManifest({
    phase: "incr-synced",
    rounds,
    conversionRehearsal: { ...rehearsal, state: "failed" },
    lastError: convError,
  });
  assert.equal(status(failed), "failed", "the rehearsal's failure is the conversion step's");
  assert.equal(timeline(failed, false).find((s) => s.id === "cutover")?.status, "pending", "the source was not shut down");
  assert.equal(conversionView(failed, false).error?.hint, convError.hint);
  assert.equal(conversionView(failed, true).error, null, "a new attempt runs: no stale error");
});

test("the conversion in the cutover: running, committed with what it changed, skipped with why, failed", () => {
  const running = sampleManifest({ phase: "final-synced", rounds, cutover: cutover(record({})) });
  assert.equal(conversionView(running, true).conversion?.state, "running");
  assert.equal(status(running, true), "current");
  assert.equal(timeline(running, true).find((s) => s.id === "cutover")?.status, "done", "shutdown and final sync are behind");

  const committed = record({
    state: "committed",
    durationMs: 64000,
    os: "debian12",
    logPath: "/w/convert.log",
    changedRanges: {
      "2000": [
        [0, 1048576],
        [4194304, 65536],
      ],
      "2001": [],
    },
  });
  const defined = sampleManifest({ phase: "defined", rounds, cutover: cutover(committed) });
  const v = conversionView(defined, false).conversion!;
  assert.deepEqual([v.state, v.durationMs, v.os, v.logPath], ["committed", 64000, "debian12", "/w/convert.log"]);
  assert.deepEqual(v.changed, { bytes: 1048576 + 65536, ranges: 2, disks: 1 });
  assert.equal(status(defined), "done");

  const skipped = record({ state: "skipped", tool: "none", reason: "--convert none: the disks are left as copied", durationMs: 0 });
  const none = sampleManifest({ phase: "defined", rounds, cutover: cutover(skipped) });
  assert.equal(status(none), "skipped");
  assert.equal(conversionView(none, false).conversion?.reason, "--convert none: the disks are left as copied");

  // virt-v2v failed: the helper leaves the record "running" with an end time and fails with the hint
  const failedRec = record({ finishedAt: "2026-01-01T01:03:00.000Z", logPath: "/w/convert.log" });
  const failed = sampleManifest({ phase: "final-synced", rounds, cutover: cutover(failedRec), lastError: convError });
  assert.equal(conversionView(failed, false).conversion?.state, "failed");
  assert.equal(status(failed), "failed");
  const killed = sampleManifest({ phase: "final-synced", rounds, cutover: cutover(record({})), lastError: convError });
  assert.equal(conversionView(killed, false).conversion?.state, "failed", "the run's CONVERSION_FAILED without an end time");
});

test("after a rollback the conversion reads rolled back when it wrote the targets, else skipped", () => {
  const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const done = record({ state: "committed", durationMs: 1 });
  assert.equal(status(sampleManifest({ phase: "rolled-back", rounds, cutover: cutover(done), rollback })), "rolled-back");
  const archived = [{ ...cutover(done), archivedAt: "2026-01-01T02:00:00.000Z", reason: "rollback" }];
  assert.equal(status(sampleManifest({ phase: "rolled-back", rounds, pastCutovers: archived, rollback })), "rolled-back");
  const none = record({ state: "skipped", tool: "none" });
  assert.equal(status(sampleManifest({ phase: "rolled-back", rounds, cutover: cutover(none), rollback })), "skipped");
});
