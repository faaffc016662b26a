// Which /folder reads a datastore worker may serve itself: none while a datastore fault is armed (the
// faults count down and strike in the lab process only).
import { test } from "node:test";
import assert from "node:assert/strict";
import { datastoreFaultsArmed } from "../../../src/lab/soap/folder";
import { type LabFaults } from "../../../src/lab/model/types";

const quiet: LabFaults = { failNextTask: {}, slowMs: 0, datastoreReadErrors: 0, sessionsExpiredBefore: null, qcdaPageSize: 2000 };

test("datastore faults armed: read errors, counted resets, an outage to start or under way", () => {
  const now = Date.parse("2026-01-01T00:00:10Z");
  assert.equal(datastoreFaultsArmed(quiet, now), false);
  assert.equal(datastoreFaultsArmed({ ...quiet, datastoreReadErrors: 1 }, now), true);
  assert.equal(datastoreFaultsArmed({ ...quiet, connectionResets: 2 }, now), true);
  assert.equal(datastoreFaultsArmed({ ...quiet, connectionResetOutageMs: 6000 }, now), true);
  assert.equal(datastoreFaultsArmed({ ...quiet, connectionResetsUntil: "2026-01-01T00:00:11Z" }, now), true);
  assert.equal(datastoreFaultsArmed({ ...quiet, connectionResetsUntil: "2026-01-01T00:00:09Z" }, now), false, "an outage that ended");
  // faults of other kinds leave reads to the workers
  assert.equal(
    datastoreFaultsArmed({ ...quiet, slowMs: 500, malformedReplies: 3, sessionsExpiredBefore: "2026-01-01T00:00:00Z" }, now),
    false,
  );
});
