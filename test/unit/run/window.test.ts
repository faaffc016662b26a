// The scheduled-cutover loop on a simulated clock: rounds every interval until the window, the
// conversion rehearsed at once and again on the last round that leaves it time, never inside the window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { syncUntilWindow, type WindowDeps } from "../../../src/helper/run/window";

/** A clock that only moves when the loop sleeps, copies or rehearses; records what happened when. */
function world(o: { roundMs: number; rehearsalMs: number | null }) {
  let t = 0;
  const trace: string[] = [];
  let n = 0;
  const deps: WindowDeps = {
    now: () => t,
    sleep: async (ms) => {
      assert.ok(ms >= 0, "no negative sleep");
      t += ms;
    },
    round: async () => {
      trace.push(`round@${t / 1000}`);
      t += o.roundMs;
      return { round: ++n, changedBytes: 0, durationMs: o.roundMs };
    },
    rehearse: async () => {
      if (o.rehearsalMs === null) return undefined;
      trace.push(`rehearse@${t / 1000}`);
      t += o.rehearsalMs;
      return { durationMs: o.rehearsalMs };
    },
    log: () => {},
  };
  return { deps, trace, clock: () => t };
}

test("nothing to convert: a round every interval until the window, then it returns at the window", async () => {
  const w = world({ roundMs: 1000, rehearsalMs: null });
  const rounds = await syncUntilWindow(60_000, 10_000, w.deps);
  assert.deepEqual(w.trace, ["round@0", "round@11", "round@22", "round@33", "round@44", "round@55"]);
  assert.equal(rounds, 6);
  assert.equal(w.clock(), 60_000, "the loop ends at the window, not a round later");
});

test("with a conversion: rehearsed at once, then on the last round that leaves it time; the window is kept", async () => {
  const w = world({ roundMs: 2000, rehearsalMs: 20_000 });
  const n = await syncUntilWindow(120_000, 10_000, w.deps);
  // another round needs interval + round + 1.25 x rehearsal = 37 s: after the round ending at 82 s, 38 s remain
  // (one more round); after the one ending at 94 s, 26 s: rehearse on it (done at 114 s), then wait
  const rounds = ["round@20", "round@32", "round@44", "round@56", "round@68", "round@80", "round@92"];
  assert.deepEqual(w.trace, ["rehearse@0", ...rounds, "rehearse@94"]);
  assert.equal(n, 7);
  assert.equal(w.clock(), 120_000, "the cutover goes on at the window, with the rehearsal of the last round valid");
});

test("a window closer than the first rehearsal: no round after it, the cutover goes on at once", async () => {
  const w = world({ roundMs: 2000, rehearsalMs: 90_000 });
  const rounds = await syncUntilWindow(60_000, 10_000, w.deps);
  assert.deepEqual(w.trace, ["rehearse@0"]);
  assert.equal(rounds, 0);
  assert.equal(w.clock(), 90_000, "the rehearsal overran; nothing waits further");
});

test("the first line carries the schedule as fields (the page reads them in any language); the others carry none", async () => {
  const w = world({ roundMs: 1000, rehearsalMs: null });
  const lines: [string, unknown][] = [];
  await syncUntilWindow(Date.parse("2026-12-04T17:00:00Z"), 20_000, {
    ...w.deps,
    now: () => Date.parse("2026-12-04T17:00:00Z") - 30_000 + w.clock(),
    log: (message, schedule) => lines.push([message, schedule]),
  });
  assert.deepEqual(lines[0]![1], { cutoverAt: "2026-12-04T17:00:00.000Z", intervalSec: 20 });
  assert.match(lines[0]![0], /2026-12-04T17:00:00\.000Z/);
  assert.ok(lines.length >= 3, lines.map((l) => l[0]).join("\n"));
  for (const [message, schedule] of lines.slice(1)) assert.equal(schedule, undefined, message);
});
