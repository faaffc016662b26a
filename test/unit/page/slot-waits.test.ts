// A disk copy waiting for a host copy slot: the page shows it per disk from the events, until the copy
// gets its slot, makes progress or the round ends; the list labels the migration as waiting.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import { AppState, type MigrationView } from "../../../src/page/state/app-state";
import { toRow } from "../../../src/page/components/list/list-rows";
import { type V2kEvent } from "../../../src/shared/events";
import { FakeCockpit } from "./fake-cockpit";
import { sampleManifest } from "./fixtures";

beforeEach(() => {
  setCockpit(new FakeCockpit().asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k" });
});

let seq = 0;
const ev = (body: Record<string, unknown>) => ({ ts: "2026-01-01T00:00:00Z", seq: seq++, ...body }) as V2kEvent;
const waiting = (disk: number) =>
  ev({
    type: "log",
    level: "info",
    step: "sync base",
    message: `disk ${disk}: waiting for a copy slot: host-wide disk copies 2/2 busy (a, b)`,
    disk,
    slot: "waiting",
  });

function view(): MigrationView {
  return { workdir: "/w", manifest: null, manifestError: null, events: [], progress: {}, slotWaits: {}, operation: null, malformed: [] };
}

test("a wait shows until the slot is granted, progress comes, or the round ends", () => {
  const state = new AppState();
  const v = view();
  state.addEvents(v, [waiting(2000), waiting(2001)]);
  assert.match(v.slotWaits[2000]!, /host-wide disk copies 2\/2 busy/);
  state.addEvents(v, [
    ev({ type: "log", level: "info", step: "sync base", message: "disk 2000: got a copy slot", disk: 2000, slot: "granted" }),
  ]);
  assert.equal(v.slotWaits[2000], undefined);
  assert.ok(v.slotWaits[2001]);
  state.addEvents(v, [waiting(2000), ev({ type: "progress", disk: 2000, bytes: 1, total: 10, rateBps: 1 })]);
  assert.equal(v.slotWaits[2000], undefined, "progress means it copies");
  state.addEvents(v, [ev({ type: "round", round: 0, kind: "base", changedBytes: 1, copiedBytes: 1, durationMs: 1 })]);
  assert.deepEqual(v.slotWaits, {});
  state.addEvents(v, [ev({ type: "log", level: "info", step: "sync base", message: "plain log line", disk: 2000 })]);
  assert.deepEqual(v.slotWaits, {}, "other log lines of a disk are not waits");
  state.dispose();
});

test("the list: a running migration with waiting copies is 'waiting'; without, 'running'", () => {
  const manifest = sampleManifest();
  const running = { command: "sync base" };
  assert.equal(toRow({ workdir: "/w", manifest, running, waiting: [{ disk: 2000, since: "x", for: "host-wide" }] }).state, "waiting");
  assert.equal(toRow({ workdir: "/w", manifest, running, waiting: [] }).state, "running");
  assert.equal(toRow({ workdir: "/w", manifest, running: null }).state, "idle");
});
