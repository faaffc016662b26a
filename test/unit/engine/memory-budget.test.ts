// The process's copy budget: shares for 1, 2 and 4 disks, shares given back, and several copies side by
// side never holding more buffers (and socket buffers) than the budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { copyDisk } from "../../../src/helper/engine/index";
import { MemoryBudget, PROCESS_COPY_BUDGET, processCopyBudget } from "../../../src/helper/engine/memory-budget";
import { MemoryDisk, MemorySource, MemoryTarget, type BlockSource } from "../../../src/helper/endpoints/index";
import { V2kError } from "../../../src/shared/v2k-error";

const M = 1024 * 1024;
/** What an NBD connection keeps (its socket read buffer). */
const SOCKET = M;
const disk = { chunkSize: 4 * M, buffers: 8, heldBytes: 2 * SOCKET };

test("one disk gets the default 8 x 4 MiB of the process budget; 2 and 4 disks split it evenly", async () => {
  assert.equal(PROCESS_COPY_BUDGET, 48 * M);
  const budget = new MemoryBudget(PROCESS_COPY_BUDGET);
  const a = await budget.join(disk);
  assert.deepEqual(budget.shares(), [8]);
  const b = await budget.join(disk);
  assert.deepEqual(budget.shares(), [6, 5]); // 48 - 4 MiB of sockets = 11 buffers
  const c = await budget.join(disk);
  const d = await budget.join(disk);
  assert.deepEqual(budget.shares(), [3, 3, 2, 2]); // 48 - 8 = 10 buffers
  for (const s of [a, b, c, d]) s.leave();
});

test("a copy wanting less leaves the rest to the others", async () => {
  const budget = new MemoryBudget(64 * M);
  const small = await budget.join({ ...disk, buffers: 1 });
  const large = await budget.join(disk);
  assert.deepEqual(budget.shares(), [1, 8]);
  const third = await budget.join(disk);
  assert.deepEqual(budget.shares(), [1, 7, 6]); // 64 - 6 = 14 buffers
  for (const s of [small, large, third]) s.leave();
});

test("a copy that ends gives its share back to the others, and an idle budget holds nothing", async () => {
  const budget = new MemoryBudget(64 * M);
  const shares = await Promise.all([1, 2, 3, 4].map(() => budget.join(disk)));
  const held = await Promise.all(shares.map((s) => s.acquire()));
  shares[3]!.release(held[3]!);
  shares[3]!.leave();
  assert.deepEqual(budget.shares(), [5, 5, 4]); // 64 - 6 = 14 buffers
  shares[2]!.release(held[2]!);
  shares[2]!.leave();
  assert.deepEqual(budget.shares(), [8, 7]);
  shares[0]!.release(held[0]!);
  shares[1]!.release(held[1]!);
  shares[0]!.leave();
  shares[1]!.leave();
  assert.equal(budget.usedBytes, 0);
});

test("a copy holding more than its new share gives the surplus to a copy that joined later", async () => {
  const budget = new MemoryBudget(16 * M + 4 * SOCKET);
  const first = await budget.join(disk);
  const lent = await Promise.all([1, 2, 3, 4].map(() => first.acquire()));
  const second = await budget.join(disk);
  assert.deepEqual(budget.shares(), [2, 2]);
  let got: Buffer | undefined;
  const waiting = second.acquire().then((b) => (got = b));
  await new Promise((r) => setImmediate(r));
  assert.equal(got, undefined, "the budget is spent: the newcomer waits");
  first.release(lent[0]!);
  await waiting;
  assert.equal(got, lent[0], "the buffer given back went to the newcomer, not back to the copy over its share");
  assert.ok(budget.peakBytes <= budget.totalBytes);
});

test("a discarded buffer and a late buffer of a copy that left are never lent again", async () => {
  const budget = new MemoryBudget(64 * M);
  const share = await budget.join(disk);
  const failed = await share.acquire();
  share.discard(failed);
  const late = await share.acquire();
  assert.notEqual(late, failed);
  share.leave();
  const next = await budget.join(disk);
  share.release(late); // its request settled after its copy had left
  const lent = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => next.acquire()));
  assert.ok(!lent.includes(late) && !lent.includes(failed));
  next.leave();
});

test("copies beyond what the budget can seat wait their turn; an abort while waiting is CANCELLED", async () => {
  const budget = new MemoryBudget(2 * 4 * M + 4 * SOCKET);
  const a = await budget.join(disk);
  const b = await budget.join(disk);
  let seated = false;
  const c = budget.join(disk).then((s) => ((seated = true), s));
  await new Promise((r) => setImmediate(r));
  assert.equal(seated, false);
  const ac = new AbortController();
  const d = budget.join({ ...disk, signal: ac.signal });
  ac.abort();
  await assert.rejects(d, (e: unknown) => e instanceof V2kError && e.code === "CANCELLED");
  a.leave();
  (await c).leave();
  b.leave();
  assert.equal(budget.usedBytes, 0);
  // A copy cancelled at the head of the queue lets in the smaller one behind it (its sockets no longer count).
  const spare = new MemoryBudget(2 * 4 * M + 5 * SOCKET);
  const e = await spare.join(disk);
  const f = await spare.join(disk);
  const ac2 = new AbortController();
  const g = spare.join({ ...disk, signal: ac2.signal });
  let hSeated = false;
  const h = spare.join({ chunkSize: 64 * 1024, buffers: 1, heldBytes: 0 }).then((s) => ((hSeated = true), s));
  await new Promise((r) => setImmediate(r));
  assert.equal(hSeated, false, "g is first in line");
  ac2.abort();
  await assert.rejects(g);
  await new Promise((r) => setImmediate(r));
  assert.equal(hSeated, true);
  for (const s of [e, f, await h]) s.leave();
  assert.equal(budget.usedBytes, 0);
});

/** Counts the bytes of reads in flight over all copies sharing it, and the distinct buffers read into. */
class ReadMeter {
  inFlight = 0;
  maxInFlight = 0;
  readonly buffers = new Set<ArrayBuffer>();
  /** A source keeping `heldBytes` while open, as an NBD source keeps its sockets' read buffers. */
  wrap(inner: MemorySource, heldBytes = 0): BlockSource {
    const read = async (offset: number, length: number, into?: Buffer): Promise<Buffer> => {
      if (into) this.buffers.add(into.buffer as ArrayBuffer);
      this.inFlight += length;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        await new Promise((r) => setTimeout(r, 2));
        return await inner.read(offset, length, into);
      } finally {
        this.inFlight -= length;
      }
    };
    return { size: inner.size, label: inner.label, heldBytes, read, close: async () => {} };
  }
}

test("copies side by side never hold more than the budget, and each finishes whole", async () => {
  const size = 16 * M;
  const chunk = M;
  const budget = new MemoryBudget(24 * M);
  const meter = new ReadMeter();
  const pairs = Array.from({ length: 4 }, () => {
    const src = new MemoryDisk(size);
    src.write(0, randomBytes(size));
    return { src, dst: new MemoryDisk(size) };
  });
  const stats = await Promise.all(
    pairs.map((p, i) =>
      copyDisk({
        source: meter.wrap(new MemorySource(p.src), 2 * SOCKET),
        target: new MemoryTarget(p.dst),
        areas: [{ offset: 0, length: size }],
        chunkSize: chunk,
        budget,
        disk: `disk ${i}`,
      }),
    ),
  );
  const dataBudget = 24 * M - 4 * 2 * SOCKET;
  assert.ok(meter.maxInFlight <= dataBudget, `reads in flight: ${meter.maxInFlight / M} MiB`);
  assert.ok(meter.buffers.size * chunk <= dataBudget, `buffers read into: ${meter.buffers.size}`);
  assert.ok(budget.peakBytes <= budget.totalBytes, `peak ${budget.peakBytes / M} MiB`);
  assert.ok(meter.maxInFlight >= 8 * chunk, "copies side by side should still keep many reads in flight");
  for (const s of stats) assert.ok(s.maxBuffers! >= 1 && s.maxBuffers! <= 8);
  for (const p of pairs) assert.ok(p.src.read(0, size).equals(p.dst.read(0, size)));
  assert.equal(budget.usedBytes, 0, "every buffer and socket charge is given back at the end");
});

test("one disk alone still gets the full default from the process budget", async () => {
  assert.equal(processCopyBudget.totalBytes, PROCESS_COPY_BUDGET);
  const size = 64 * M;
  const meter = new ReadMeter();
  const src = new MemoryDisk(size);
  src.write(0, randomBytes(size));
  const stats = await copyDisk({
    source: meter.wrap(new MemorySource(src)),
    target: new MemoryTarget(new MemoryDisk(size)),
    areas: [{ offset: 0, length: size }],
  });
  assert.equal(stats.workers, 8);
  assert.equal(stats.maxBuffers, 8);
  assert.equal(meter.maxInFlight, 8 * 4 * M);
});

test("a share is charged by the bytes its operations hold: small operations fill it, a chunk waits past it", async () => {
  const budget = new MemoryBudget(64 * M);
  const share = await budget.join({ ...disk, buffers: 2 }); // a share of 2 x 4 MiB
  const small = await Promise.all(Array.from({ length: 16 }, () => share.acquire(40 * 1024)));
  assert.ok(
    small.every((b) => b.length === 64 * 1024),
    "small operations get the smallest buffer, rounded to a power of two",
  );
  assert.equal(share.held, 16);
  const chunk = await share.acquire(); // 1 + 4 MiB of 8
  let more: Buffer | undefined;
  const waiting = share.acquire(3 * M).then((b) => (more = b)); // 4 MiB more would pass 8
  await new Promise((r) => setImmediate(r));
  assert.equal(more, undefined, "the share's bytes are spent");
  share.release(chunk);
  await waiting;
  assert.equal(more, chunk, "the chunk given back is lent again, not a new buffer");
  for (const b of [...small, more!]) share.release(b);
  share.leave();
  assert.equal(budget.usedBytes, 0);
});

test("4 disks of small areas side by side each keep all their workers reading", async () => {
  const size = 64 * M;
  const budget = new MemoryBudget(PROCESS_COPY_BUDGET); // shares of 3, 3, 2 and 2 chunks
  const meter = new ReadMeter();
  // 64 KiB areas 2 MiB apart: no coalescing, one op per area
  const areas = Array.from({ length: 32 }, (_, i) => ({ offset: i * 2 * M, length: 64 * 1024 }));
  const pairs = Array.from({ length: 4 }, () => {
    const src = new MemoryDisk(size);
    for (const a of areas) src.write(a.offset, randomBytes(a.length));
    return { src, dst: new MemoryDisk(size) };
  });
  const stats = await Promise.all(
    pairs.map((p, i) =>
      copyDisk({
        source: meter.wrap(new MemorySource(p.src), 2 * SOCKET),
        target: new MemoryTarget(p.dst),
        areas,
        coalesceGap: 0,
        budget,
        disk: `disk ${i}`,
      }),
    ),
  );
  assert.deepEqual(
    stats.map((s) => s.maxBuffers),
    [8, 8, 8, 8],
  );
  assert.ok(budget.peakBytes <= budget.totalBytes, `peak ${budget.peakBytes / M} MiB`);
  for (const p of pairs) assert.ok(p.src.read(0, size).equals(p.dst.read(0, size)));
});
