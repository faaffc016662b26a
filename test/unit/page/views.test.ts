// Pure view logic of the list (rows, sorting) and of the events log (filters).
import { test } from "node:test";
import assert from "node:assert/strict";
import { sortRows, toRow } from "../../../src/page/components/list/list-rows";
import { visibleEvents, eventText } from "../../../src/page/components/migration/event-lines";
import { type V2kEvent } from "../../../src/shared/events";
import { domainStateShown } from "../../../src/page/state/derive";
import { sampleManifest, syncedRound } from "./fixtures";

test("list rows show the last round, readiness and run state, and sort by any column both ways", () => {
  const rows = [
    toRow({
      workdir: "/w/b",
      manifest: sampleManifest({
        vm: { ...sampleManifest().vm, name: "beta" },
        phase: "incr-synced",
        rounds: [syncedRound(0, "base", 9e9, 1), syncedRound(1, "incr", 1e6, 1500)],
      }),
      running: null,
    }),
    toRow({
      workdir: "/w/a",
      manifest: sampleManifest({ vm: { ...sampleManifest().vm, name: "Alpha" }, phase: "cbt-enabled" }),
      running: { command: "sync base", pid: 1 },
    }),
    toRow({
      workdir: "/w/c",
      manifest: sampleManifest({
        vm: { ...sampleManifest().vm, name: "gamma" },
        phase: "started",
        lastError: { code: "VIRSH_FAILED", message: "m", hint: "h" },
      }),
      running: null,
    }),
  ];
  assert.deepEqual(
    rows.map((r) => [r.vm, r.state, r.ready, r.lastChangedBytes]),
    [
      ["beta", "idle", true, 1e6],
      ["Alpha", "running", false, null],
      ["gamma", "failed", false, null],
    ],
  );
  assert.equal(rows[0]?.vcenter, "127.0.0.2:8443");
  assert.deepEqual(
    sortRows(rows, "vm", true).map((r) => r.vm),
    ["Alpha", "beta", "gamma"],
  );
  assert.deepEqual(
    sortRows(rows, "vm", false).map((r) => r.vm),
    ["gamma", "beta", "Alpha"],
  );
  assert.deepEqual(
    sortRows(rows, "phase", true).map((r) => r.phase),
    ["cbt-enabled", "incr-synced", "started"],
  );
  assert.deepEqual(
    sortRows(rows, "state", true).map((r) => r.state),
    ["failed", "idle", "running"],
  );
  assert.deepEqual(sortRows(rows, "lastRound", false).map((r) => r.vm)[0], "beta");
});

test("the events log hides progress and debug lines and filters by level and disk", () => {
  let seq = 0;
  const e = (body: Record<string, unknown>) => ({ ts: "2026-01-01T00:00:00Z", seq: seq++, step: "sync incr", ...body }) as V2kEvent;
  const events = [
    e({ type: "log", level: "debug", message: "noise" }),
    e({ type: "log", level: "info", message: "disk a", disk: 2000 }),
    e({ type: "log", level: "warn", message: "disk b slow", disk: 2001 }),
    e({ type: "progress", disk: 2000, bytes: 1, total: 2, rateBps: 1 }),
    e({ type: "error", error: { code: "TARGET_IO", message: "write failed", hint: "check" } }),
    e({ type: "result", command: "sync incr", ok: false, error: { code: "TARGET_IO", message: "write failed", hint: "check" } }),
  ];
  const texts = (l: V2kEvent[]) => l.map(eventText);
  assert.deepEqual(texts(visibleEvents(events, "all", "all")), [
    "disk a",
    "disk b slow",
    "TARGET_IO: write failed — check",
    "sync incr: TARGET_IO write failed",
  ]);
  assert.deepEqual(texts(visibleEvents(events, "warn", "all")), [
    "disk b slow",
    "TARGET_IO: write failed — check",
    "sync incr: TARGET_IO write failed",
  ]);
  assert.deepEqual(texts(visibleEvents(events, "all", 2000)), ["disk a"]);
  assert.equal(visibleEvents(events, "all", "all", 2).length, 2);
});

test("the cutover dialog preselects power off when init found no VMware Tools running", async () => {
  const { defaultShutdown } = await import("../../../src/page/components/dialogs/cutover-defaults");
  const vm = sampleManifest().vm;
  assert.equal(defaultShutdown(sampleManifest({ vm: { ...vm, toolsRunningAtInit: false } })), "poweroff");
  assert.equal(defaultShutdown(sampleManifest({ vm: { ...vm, toolsRunningAtInit: true } })), "guest");
  assert.equal(defaultShutdown(sampleManifest({ vm })), "guest"); // older manifests do not say
});

test("the domain card: a rollback that undefined the domain says so, whatever the last list read", () => {
  const cutover = { shutdownMode: "poweroff" as const, requestedAt: "t", definedAt: "t", domainName: "web01" };
  const defined = sampleManifest({ phase: "defined", cutover });
  assert.equal(domainStateShown(defined, { state: "shut off" }), "shut off");
  assert.equal(domainStateShown(defined, undefined), null, "not listed yet: no state");
  const rollback = { at: "t2", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const rolledBack = sampleManifest({ phase: "rolled-back", cutover, rollback });
  assert.equal(domainStateShown(rolledBack, { state: "shut off" }), "removed", "a list read during the rollback is stale");
  const foreign = sampleManifest({ phase: "rolled-back", cutover, rollback: { ...rollback, domainUndefined: false } });
  assert.equal(domainStateShown(foreign, { state: "running" }), "running", "a domain the rollback left alone is shown as it is");
});
