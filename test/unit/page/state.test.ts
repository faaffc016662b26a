// AppState (routing, watches, events, progress) and the pure manifest views it is built on.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import { AppState, MAX_EVENTS } from "../../../src/page/state/app-state";
import { actions, convergence, cutoverReady, timeline } from "../../../src/page/state/derive";
import { type V2kEvent } from "../../../src/shared/events";
import { FakeCockpit, eventLine, settle, tick } from "./fake-cockpit";
import { sampleManifest, syncedRound } from "./fixtures";

let fake: FakeCockpit;
beforeEach(() => {
  fake = new FakeCockpit();
  setCockpit(fake.asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k" });
});

test("routes come from cockpit.location and go() writes them back", () => {
  assert.deepEqual(AppState.routeFromLocation([], {}), { view: "list" });
  assert.deepEqual(AppState.routeFromLocation(["new"], {}), { view: "new" });
  assert.deepEqual(AppState.routeFromLocation(["migration"], { workdir: "/srv/v2k/web01/r1" }), {
    view: "migration",
    workdir: "/srv/v2k/web01/r1",
  });
  assert.deepEqual(AppState.routeFromLocation(["migration"], { workdir: "relative" }), { view: "list" });
  const state = new AppState();
  state.attachRouter();
  state.go({ view: "migration", workdir: "/srv/v2k/web01/r1" });
  assert.deepEqual(state.route, { view: "migration", workdir: "/srv/v2k/web01/r1" });
  assert.deepEqual(fake.location.options, { workdir: "/srv/v2k/web01/r1" });
  state.dispose();
});

test("a migration view follows manifest, events and the running operation, and emits changed", async () => {
  const state = new AppState();
  let changes = 0;
  state.on("changed", () => changes++);
  state.setRoute({ view: "migration", workdir: "/srv/v2k/web01/r1" });
  const m = sampleManifest({ phase: "base-synced", rounds: [syncedRound(0, "base", 1000, 500)] });
  fake.file("/srv/v2k/web01/r1/manifest.json").push(JSON.stringify(m));
  assert.equal(state.current?.manifest?.phase, "base-synced");
  fake.file("/srv/v2k/web01/r1/manifest.json").push("{ broken");
  assert.equal(state.current?.manifestError?.code, "MANIFEST_CORRUPT");
  assert.equal(state.current?.manifest?.phase, "base-synced"); // the last good manifest stays visible

  const logPath = "/srv/v2k/web01/r1/events.log";
  const p1 = eventLine({ type: "progress", disk: 2000, bytes: 10, total: 100, rateBps: 1 });
  const p2 = eventLine({ type: "progress", disk: 2000, bytes: 60, total: 100, rateBps: 1 });
  fake.fs.set(logPath, p1 + p2);
  fake.change(logPath);
  await settle();
  assert.equal(state.current?.progress[2000]?.bytes, 60);
  fake.fs.set(logPath, p1 + p2 + eventLine({ type: "round", round: 1, kind: "incr", changedBytes: 5, copiedBytes: 5, durationMs: 9 }));
  fake.change(logPath);
  await settle();
  assert.equal(state.current?.progress[2000], undefined);
  assert.equal(state.current?.events.length, 3);

  const op = fake.file("/srv/v2k/web01/r1/operation.json");
  op.push(JSON.stringify({ command: "sync incr", pid: 4242, startedAt: "2026-01-01T00:00:00Z" }));
  assert.equal(state.isRunning(), true);
  op.push(
    JSON.stringify({ command: "sync incr", pid: 4242, startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:01:00Z", exitCode: 0 }),
  );
  assert.equal(state.isRunning(), false);
  assert.ok(changes >= 6);

  state.setRoute({ view: "list" });
  assert.equal(state.current, null);
  assert.ok(
    fake.files.filter((f) => f.path.startsWith("/srv/v2k/web01/r1")).every((f) => f.removed),
    "watches removed on leave",
  );
  const tails = fake.processes.length;
  fake.change(logPath);
  await settle();
  assert.equal(fake.processes.length, tails, "no reads after leaving");
  fake.last().exit({ problem: "access-denied" }); // the list refresh started by the route
  await tick();
  await tick();
  assert.equal(state.list.error?.code, "ADMIN_REQUIRED");
  state.dispose();
});

test("the in-memory event list is bounded", () => {
  const state = new AppState();
  state.setRoute({ view: "migration", workdir: "/w" });
  const view = state.current!;
  const many: V2kEvent[] = Array.from({ length: MAX_EVENTS + 10 }, (_, i) => ({
    ts: "t",
    seq: i,
    step: "s",
    type: "log",
    level: "info",
    message: String(i),
  }));
  state.addEvents(view, many);
  assert.equal(view.events.length, MAX_EVENTS);
  assert.equal(view.events[0]?.seq, 10);
  state.dispose();
});

test("timeline, actions and cutover readiness follow the phase and the last incremental round", () => {
  const init = sampleManifest();
  assert.deepEqual(
    timeline(init, false).map((s) => s.status),
    ["done", "done", "current", "pending", "pending", "pending", "pending", "pending", "pending", "pending"],
  );
  assert.equal(actions(init, false).primary, "cbt-enable");

  const big = sampleManifest({ phase: "incr-synced", rounds: [syncedRound(0, "base", 5e9, 60000), syncedRound(1, "incr", 1e9, 30000)] });
  assert.equal(cutoverReady(big), false);
  assert.equal(actions(big, cutoverReady(big)).primary, "sync-incr");
  const small = sampleManifest({ phase: "incr-synced", rounds: [syncedRound(0, "base", 5e9, 60000), syncedRound(1, "incr", 1e6, 2000)] });
  assert.equal(cutoverReady(small), true);
  assert.equal(actions(small, true).primary, "cutover");
  assert.deepEqual(
    convergence(small).map((p) => p.changedBytes),
    [5e9, 1e6],
  );
  // the helper's criterion is strict: bytes<512M,seconds<300
  const edge = sampleManifest({
    phase: "incr-synced",
    rounds: [syncedRound(0, "base", 5e9, 60000), syncedRound(1, "incr", 512 * 2 ** 20, 1000)],
  });
  assert.equal(cutoverReady(edge), false);

  const failed = sampleManifest({ phase: "cbt-enabled", lastError: { code: "SNAPSHOT_FAILED", message: "m", hint: "h" } });
  assert.equal(timeline(failed, false)[3]?.status, "failed");
  assert.equal(timeline(failed, true)[3]?.status, "current");

  const defined = sampleManifest({ phase: "defined" });
  assert.equal(actions(defined, false).primary, "verify");
  const verified = sampleManifest({ phase: "defined", verify: [{ mode: "quick", at: "t", ok: true, mismatches: [] }] });
  assert.equal(actions(verified, false).primary, "start");
  const started = sampleManifest({ phase: "started", verify: [{ mode: "quick", at: "t", ok: true, mismatches: [] }] });
  assert.equal(actions(started, false).primary, "cleanup");
  assert.deepEqual(
    timeline(started, false)
      .map((s) => s.status)
      .slice(5),
    ["done", "skipped", "done", "done", "current"],
    "a cutover without a conversion record converted nothing",
  );
  const rolled = sampleManifest({ phase: "rolled-back" });
  assert.equal(timeline(rolled, false)[5]?.status, "skipped");
});

const stepStatus = (m: ReturnType<typeof sampleManifest>, id: string) => timeline(m, false).find((s) => s.id === id)?.status;

test("timeline tells what really happened: rolled back, cleaned up after rollback, failed start, cancelled round", () => {
  const rounds = [syncedRound(0, "base", 5e9, 60000), syncedRound(1, "incr", 1e6, 2000)];
  const cutover = { shutdownMode: "guest" as const, requestedAt: "2026-01-01T01:00:00.000Z", definedAt: "2026-01-01T01:05:00.000Z" };
  const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const rolled = sampleManifest({ phase: "rolled-back", rounds, cutover, rollback });
  assert.deepEqual(
    timeline(rolled, false).map((s) => s.status),
    ["done", "done", "done", "done", "done", "rolled-back", "skipped", "skipped", "skipped", "current"],
  );
  const cleanedAfterRollback = sampleManifest({ phase: "cleaned", rounds, cutover, rollback });
  assert.equal(stepStatus(cleanedAfterRollback, "cutover"), "rolled-back", "a rolled-back migration must not look successful");
  assert.equal(stepStatus(cleanedAfterRollback, "start"), "skipped");
  assert.equal(stepStatus(cleanedAfterRollback, "cleanup"), "done");
  const migrated = sampleManifest({ phase: "cleaned", rounds, cutover, verify: [{ mode: "quick", at: "t", ok: true, mismatches: [] }] });
  assert.ok(timeline(migrated, false).every((s) => s.status === (s.id === "convert" ? "skipped" : "done")));

  const startFailed = sampleManifest({
    phase: "defined",
    rounds,
    cutover,
    verify: [{ mode: "quick", at: "t", ok: true, mismatches: [] }],
    lastError: { code: "VIRSH_FAILED", message: "m", hint: "h" },
  });
  assert.equal(stepStatus(startFailed, "start"), "failed");
  assert.equal(stepStatus(startFailed, "cleanup"), "pending");

  const cancelledRound = sampleManifest({
    phase: "incr-synced",
    rounds: [...rounds, { ...syncedRound(2, "incr", 0, 0), status: "failed" }],
    lastError: { code: "CANCELLED", message: "m", hint: "h" },
  });
  assert.equal(stepStatus(cancelledRound, "incr"), "cancelled");
  assert.equal(stepStatus(cancelledRound, "cutover"), "pending");

  // a cutover refused before shutdown (from base-synced: no incremental round yet) is the cutover's failure
  const networkMissing = sampleManifest({
    phase: "base-synced",
    rounds: [syncedRound(0, "base", 1000, 500)],
    lastError: { code: "NETWORK_MISSING", message: "m", hint: "h" },
  });
  assert.equal(stepStatus(networkMissing, "cutover"), "failed");
  assert.equal(stepStatus(networkMissing, "incr"), "pending", "no round failed");
  const roundFailed = sampleManifest({ ...networkMissing, lastError: { code: "TIMEOUT", message: "m", hint: "h" } });
  assert.equal(stepStatus(roundFailed, "incr"), "failed");
});

test("administrative access is probed once and a denial is remembered", async () => {
  const state = new AppState();
  fake.adminAllowed = false;
  await state.checkAdmin();
  assert.equal(state.admin, "denied");
  fake.adminAllowed = true;
  await state.checkAdmin();
  assert.equal(state.admin, "allowed");
  state.dispose();
});

test("the first route loads the migrations list", async () => {
  const state = new AppState();
  state.attachRouter();
  const p = fake.last();
  assert.deepEqual(p.argv.slice(1), ["--json", "list", "--root", "/srv/v2k"]);
  p.emit(eventLine({ type: "result", command: "list", ok: true, data: { root: "/srv/v2k", migrations: [], unreadable: [] } }));
  p.exit();
  await tick();
  await tick();
  assert.equal(state.list.loaded, true);
  assert.equal(state.list.error, null);
  state.dispose();
});

test("coming back to the page refreshes the list; while hidden it does not", async () => {
  const state = new AppState();
  const c = fake.asCockpit();
  setCockpit(c);
  state.attachRouter();
  const first = fake.last(); // the first route's list
  first.emit(eventLine({ type: "result", command: "list", ok: true, data: { root: "/srv/v2k", migrations: [], unreadable: [] } }));
  first.exit();
  await settle();
  const before = fake.processes.length;
  (c as { hidden: boolean }).hidden = true;
  fake.emitEvent("visibilitychange");
  assert.equal(fake.processes.length, before);
  (c as { hidden: boolean }).hidden = false;
  fake.emitEvent("visibilitychange");
  assert.equal(fake.processes.length, before + 1);
  assert.equal(fake.last().argv[2], "list");
  state.dispose();
});

test("a failed operation's banner is dropped once a later command changed the workdir", async () => {
  const { operationFailureToShow } = await import("../../../src/page/state/operation-view");
  const op = { command: "start", pid: 1, startedAt: "2026-01-01T01:00:00.000Z", finishedAt: "2026-01-01T01:00:05.000Z", exitCode: 1 };
  const before = sampleManifest({ phase: "defined", updatedAt: "2026-01-01T00:59:00.000Z" });
  assert.equal(operationFailureToShow(before, op), op);
  assert.equal(operationFailureToShow(sampleManifest({ phase: "defined", updatedAt: "2026-01-01T01:30:00.000Z" }), op), null);
  const rolled = sampleManifest({
    phase: "rolled-back",
    updatedAt: "2026-01-01T00:59:00.000Z",
    rollback: { at: "2026-01-01T01:20:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false },
  });
  assert.equal(operationFailureToShow(rolled, op), null);
  assert.equal(operationFailureToShow(before, { ...op, cancelled: true }), null, "a cancel is not a failure");
});
