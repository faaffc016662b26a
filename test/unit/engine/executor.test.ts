// The executor under copy and verify: first error wins and stops the rest, a stall is detected with
// TRANSFER_STALLED, concurrency stays bounded (measured), progress adds up to the total, aborts
// cancel; and verify's comparison runs on it (read errors fail it, a hung side stalls it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Executor, withExecutor, type CopyProgress, type ExecutorOptions } from "../../../src/helper/engine/index";
import { MemoryDisk, MemorySource, type BlockSource } from "../../../src/helper/endpoints/index";
import { compareAreas, fullAreas } from "../../../src/helper/verify/compare";
import { V2kError } from "../../../src/shared/v2k-error";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function options(over: Partial<ExecutorOptions> = {}): ExecutorOptions {
  return {
    what: "test run",
    stallTimeoutMs: 60_000,
    stallHint: "check it",
    cancelHint: "re-run",
    total: 0,
    progressIntervalMs: 0,
    ...over,
  };
}

test("concurrency stays within the worker count and is actually reached", async () => {
  let running = 0;
  let peak = 0;
  const stats = await withExecutor(options(), async (ex) => {
    await ex.run(
      Array.from({ length: 40 }, (_, i) => i),
      5,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        running--;
      },
    );
    return ex.stats;
  });
  assert.equal(peak, 5, `items at once: ${peak}`);
  assert.equal(stats.maxRunning, 5);
  assert.equal(stats.completed, 40);
});

test("the first error wins: the run rejects at once, no new item starts, later errors are dropped", async () => {
  const started: number[] = [];
  const first = new V2kError("NBD_SOURCE_FAILED", "item 3 failed", "hint");
  const t0 = Date.now();
  let signalAborted = false;
  await assert.rejects(
    withExecutor(options(), (ex) =>
      ex.run(
        Array.from({ length: 100 }, (_, i) => i),
        4,
        async (i) => {
          started.push(i);
          if (i === 3) {
            await sleep(10);
            throw first;
          }
          if (i === 2) {
            // a slow item in flight: the run does not wait for it, and its later error is dropped
            await sleep(400);
            signalAborted = ex.signal.aborted;
            throw new V2kError("NBD_TARGET_FAILED", "late", "hint");
          }
          await sleep(20);
        },
      ),
    ),
    (e: unknown) => e === first,
  );
  assert.ok(Date.now() - t0 < 300, `answered after ${Date.now() - t0} ms`);
  const count = started.length;
  assert.ok(count < 20, `${count} items started`);
  await sleep(500);
  assert.equal(started.length, count, "items started after the failure");
  assert.equal(signalAborted, true, "work in flight sees the run's signal aborted");
});

test("an error thrown by the queue fails the run; foreign errors go through toError", async () => {
  async function* queue() {
    yield 1;
    throw new Error("extents failed");
  }
  await assert.rejects(
    withExecutor(options({ toError: (e) => new V2kError("NBD_SOURCE_FAILED", `mapped: ${(e as Error).message}`, "h") }), (ex) =>
      ex.run(queue(), 2, async () => {}),
    ),
    (e: unknown) => e instanceof V2kError && e.code === "NBD_SOURCE_FAILED" && /mapped: extents failed/.test(e.message),
  );
  await assert.rejects(
    withExecutor(options(), (ex) =>
      ex.run([1], 1, async () => {
        throw new TypeError("oops");
      }),
    ),
    (e: unknown) => e instanceof V2kError && e.code === "INTERNAL" && /test run failed: oops/.test(e.message),
  );
});

test("a stall is detected: no completed request for the window gives TRANSFER_STALLED; slow but moving work is not a stall", async () => {
  const t0 = Date.now();
  await assert.rejects(
    withExecutor(options({ stallTimeoutMs: 150, stallDetail: "source: hung" }), (ex) =>
      ex.run([1, 2], 2, () => new Promise<void>(() => {})),
    ),
    (e: unknown) => e instanceof V2kError && e.code === "TRANSFER_STALLED" && /test run: no request completed/.test(e.message),
  );
  const took = Date.now() - t0;
  assert.ok(took >= 150 && took < 1500, `stall detected after ${took} ms`);
  // every item takes 60 ms (less than the window) and touches on completion: 10 items, 1 worker = 600 ms > window
  await withExecutor(options({ stallTimeoutMs: 150 }), (ex) =>
    ex.run(
      Array.from({ length: 10 }, (_, i) => i),
      1,
      async () => {
        await sleep(60);
        ex.touch();
      },
    ),
  );
});

test("step: the flush gets the failure race and a stall window of its own", async () => {
  await withExecutor(options({ stallTimeoutMs: 100 }), async (ex) => {
    await ex.run([1], 1, async () => {});
    await sleep(80);
    assert.equal(await ex.step(async () => "flushed"), "flushed");
  });
  await assert.rejects(
    withExecutor(options({ stallTimeoutMs: 100 }), (ex) => ex.step(() => new Promise(() => {}))),
    (e: unknown) => e instanceof V2kError && e.code === "TRANSFER_STALLED",
  );
});

test("progress: monotonic, adds up to the total, the final report is always sent, and throttled", async () => {
  const reports: CopyProgress[] = [];
  const sizes = Array.from({ length: 30 }, (_, i) => 1000 + i);
  const total = sizes.reduce((a, b) => a + b, 0);
  await withExecutor(options({ total, onProgress: (p) => reports.push(p) }), async (ex) => {
    await ex.run(sizes, 3, async (n) => {
      await sleep(1);
      ex.progress(n);
    });
    ex.finish();
  });
  assert.ok(reports.length >= 30);
  for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.bytes >= reports[i - 1]!.bytes);
  assert.equal(reports.at(-1)!.bytes, total);
  assert.ok(reports.every((r) => r.total === total));
  const throttled: CopyProgress[] = [];
  await withExecutor(options({ total, progressIntervalMs: 60_000, onProgress: (p) => throttled.push(p) }), async (ex) => {
    await ex.run(sizes, 3, async (n) => ex.progress(n));
    ex.finish();
  });
  assert.deepEqual(
    throttled.map((p) => p.bytes),
    [total],
  );
});

test("an abort cancels with CANCELLED (or the signal's own V2kError) and the watchdog is stopped by close", async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(
    withExecutor(options({ signal: ac.signal }), (ex) => ex.run([1, 2, 3], 2, () => sleep(2000))),
    (e: unknown) => e instanceof V2kError && e.code === "CANCELLED" && /test run cancelled/.test(e.message),
  );
  const reason = new V2kError("SESSION_EXPIRED", "expired", "log in");
  await assert.rejects(
    withExecutor(options({ signal: AbortSignal.abort(reason) }), (ex) => ex.run([1], 1, async () => {})),
    (e: unknown) => e === reason,
  );
  // a closed executor leaves no timer behind: this test file would not end otherwise
  const ex = new Executor(options({ stallTimeoutMs: 50 }));
  ex.close();
  await sleep(120);
  assert.equal(ex.failedWith, undefined);
});

const MiB = 1024 * 1024;

test("verify's comparison on the executor: bounded, a failing side names itself, a hung side stalls", async () => {
  const disk = new MemoryDisk(16 * MiB);
  disk.write(3 * MiB, Buffer.alloc(MiB, 7));
  let running = 0;
  let peak = 0;
  const counting = (inner: BlockSource, failAt?: number): BlockSource => ({
    size: inner.size,
    label: "counting side",
    read: async (offset, length) => {
      running++;
      peak = Math.max(peak, running);
      await sleep(3);
      running--;
      if (offset === failAt) throw new Error("EIO");
      return inner.read(offset, length);
    },
    close: async () => {},
  });
  const areas = fullAreas(16 * MiB, 256 * 1024, null);
  const ok = await compareAreas(counting(new MemorySource(disk)), counting(new MemorySource(disk)), areas, { disk: 5, parallel: 3 });
  assert.equal(ok.comparedBytes, 16 * MiB);
  assert.equal(ok.mismatches.length, 0);
  assert.equal(peak, 6, "3 areas at once, both sides each");
  await assert.rejects(
    compareAreas(new MemorySource(disk), counting(new MemorySource(disk), 5 * MiB), areas, { disk: 5 }),
    (e: unknown) => e instanceof V2kError && e.code === "NBD_TARGET_FAILED" && /disk 5, offset 5242880, counting side/.test(e.message),
  );
  const hung: BlockSource = { size: 16 * MiB, label: "hung", read: () => new Promise(() => {}), close: async () => {} };
  await assert.rejects(
    compareAreas(new MemorySource(disk), hung, areas, { disk: 5, stallTimeoutMs: 100 }),
    (e: unknown) => e instanceof V2kError && e.code === "TRANSFER_STALLED" && /verify of disk 5/.test(e.message),
  );
});
