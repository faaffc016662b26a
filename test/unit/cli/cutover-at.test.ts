// --cutover-at: HH:MM is the next such time on this host's clock, an ISO date-time one moment; the past,
// impossible times and other text are refused with USAGE and a hint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCutoverAt } from "../../../src/shared/requests/cutover-at";
import { V2kError } from "../../../src/shared/v2k-error";

const usage = (re: RegExp) => (e: unknown) => e instanceof V2kError && e.code === "USAGE" && re.test(e.message) && e.hint.length > 10;

test("HH:MM: later today, or tomorrow once that time has passed (local clock)", () => {
  const now = new Date(2026, 10, 29, 14, 30, 15);
  assert.deepEqual(parseCutoverAt("22:00", now), new Date(2026, 10, 29, 22, 0, 0));
  assert.deepEqual(parseCutoverAt("02:00", now), new Date(2026, 10, 30, 2, 0, 0));
  assert.deepEqual(parseCutoverAt("14:30", now), new Date(2026, 10, 30, 14, 30, 0), "this very minute has begun: tomorrow");
  assert.deepEqual(parseCutoverAt("00:00", new Date(2026, 11, 31, 23, 0)), new Date(2027, 0, 1, 0, 0), "across a year");
});

test("ISO date-times: with a zone, or local without one; the past is refused", () => {
  const now = new Date("2026-11-29T05:00:00Z");
  assert.equal(parseCutoverAt("2026-12-05T02:00+09:00", now).toISOString(), "2026-12-04T17:00:00.000Z");
  assert.equal(parseCutoverAt("2026-11-29T06:00:30.250Z", now).toISOString(), "2026-11-29T06:00:30.250Z");
  assert.throws(() => parseCutoverAt("2026-11-29T04:59Z", now), usage(/in the past/));
  assert.throws(() => parseCutoverAt("2026-11-29T05:00Z", now), usage(/in the past/), "now is not the future");
});

test("impossible times and other text are refused", () => {
  for (const t of ["24:00", "12:60", "2026-13-01T00:00Z", "tomorrow", "2026-12-01", "9:00", ""]) {
    assert.throws(() => parseCutoverAt(t, new Date("2026-11-29T05:00:00Z")), usage(/not a time/), t);
  }
});
