// The copy engine on the in-memory endpoints: content, sparseness, zeroUnlisted, limits, errors,
// cancel and progress.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { copyDisk, type CopyProgress } from "../../../src/helper/engine/index";
import { MemoryDisk, MemorySource, MemoryTarget, type BlockSource, type Extent } from "../../../src/helper/endpoints/index";
import { V2kError } from "../../../src/shared/v2k-error";

const K = 1024;
const M = 1024 * 1024;

function diskWith(size: number, parts: Array<[number, number]>, seed?: Buffer): MemoryDisk {
  const d = new MemoryDisk(size);
  for (const [offset, length] of parts) d.write(offset, seed ? seed.subarray(0, length) : randomBytes(length));
  return d;
}

function assertSameContent(a: MemoryDisk, b: MemoryDisk, size = a.size): void {
  for (let o = 0; o < size; o += M) {
    const n = Math.min(M, size - o);
    assert.ok(a.read(o, n).equals(b.read(o, n)), `content differs in the MiB at ${o}`);
  }
}

/** A source whose reads take `ms` and that counts reads running at once. */
class SlowSource implements BlockSource {
  running = 0;
  maxRunning = 0;
  extents?: (offset: number, length: number) => Promise<Extent[]>;
  constructor(
    private readonly inner: MemorySource,
    private readonly ms: number,
    private readonly failAt?: number,
  ) {}
  get size() {
    return this.inner.size;
  }
  label = "slow source";
  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await new Promise((r) => setTimeout(r, this.ms));
      if (this.failAt !== undefined && offset <= this.failAt && this.failAt < offset + length) throw new Error("simulated read failure");
      return await this.inner.read(offset, length, into);
    } finally {
      this.running--;
    }
  }
  async close() {}
}

/** A source whose extents are exact to the byte (MemorySource reports 64 KiB blocks): data areas, the rest holes. */
class ExactExtentsSource extends MemorySource {
  constructor(disk: MemoryDisk, data: ReadonlyArray<[number, number]>) {
    super(disk);
    this.extents = async (offset, length) => {
      const out: Extent[] = [];
      let at = offset;
      for (const [o, n] of data) {
        const s = Math.max(o, offset);
        const e = Math.min(o + n, offset + length);
        if (e <= s) continue;
        if (s > at) out.push({ offset: at, length: s - at, zero: true });
        out.push({ offset: s, length: e - s, zero: false });
        at = e;
      }
      if (at < offset + length) out.push({ offset: at, length: offset + length - at, zero: true });
      return out;
    };
  }
}

test("scattered small extents: holes folded into reads or packs come out as zeros, never as a reused buffer's bytes", async () => {
  const size = 32 * M;
  // 4 KiB data runs with holes of 2-60 KiB (inside shared 64 KiB units: folded and read) and of 300-612 KiB
  // (packed: never read, zeroed or skipped).
  const data: Array<[number, number]> = [];
  for (let at = 0, i = 0; at + 4 * K <= size; i++) {
    data.push([at, 4 * K]);
    at += 4 * K + (i % 2 ? (((i * 7919) % 30) + 1) * 2 * K : 300 * K + ((i * 7919) % 40) * 8 * K);
  }
  const src = diskWith(size, data);
  for (const targetIsZero of [true, false]) {
    // A garbage-filled target where zeros must be written, a fresh one where they are skipped.
    const dst = targetIsZero ? new MemoryDisk(size) : diskWith(size, [[0, size]]);
    const target = new MemoryTarget(dst, { allocationUnit: 64 * K });
    const stats = await copyDisk({
      source: new ExactExtentsSource(src, data),
      target,
      areas: [{ offset: 0, length: size }],
      targetIsZero,
      chunkSize: 64 * K, // small buffers, reused thousands of times with earlier data in them
      requests: 2,
    });
    assertSameContent(src, dst);
    assert.ok(stats.bytesRead < size / 2, `holes outside shared units are not read (${stats.bytesRead} bytes read)`);
    assert.ok(target.ops.writes < data.length, "extents sharing units go out together");
  }
});

test("a full copy reproduces the source, writes only data and leaves holes as holes", async () => {
  const size = 64 * M;
  const src = diskWith(size, [
    [0, 3 * M],
    [10 * M + 4 * K, 5 * M],
    [63 * M, M],
  ]);
  const dst = new MemoryDisk(size);
  const target = new MemoryTarget(dst);
  const stats = await copyDisk({ source: new MemorySource(src), target, areas: [{ offset: 0, length: size }], targetIsZero: true });
  assertSameContent(src, dst);
  assert.equal(stats.totalBytes, size);
  // The unaligned area touches 81 granules of 64 KiB: 5 MiB + 64 KiB of data to write.
  const data = 3 * M + 5 * M + 64 * K + M;
  assert.equal(stats.bytesWritten, data);
  assert.equal(stats.bytesSkipped, size - data);
  assert.equal(target.ops.bytesWritten, data);
  assert.equal(target.ops.flushes, 1);
  assert.equal(target.unflushedWrites, 0);
  assert.ok(stats.flushedAt !== "" && !Number.isNaN(Date.parse(stats.flushedAt)));
  // Sparse: the target stores only what the source stores.
  assert.deepEqual(dst.allocated(), src.allocated());
});

test("without source extents, zeros in read data become WRITE_ZEROES, never data", async () => {
  const size = 16 * M;
  const src = diskWith(size, [
    [M, M],
    [5 * M, 256 * K],
  ]);
  const dst = diskWith(size, [[0, size]]); // garbage everywhere: zeros must really be written
  const target = new MemoryTarget(dst);
  const source = new MemorySource(src, { withExtents: false });
  const stats = await copyDisk({ source, target, areas: [{ offset: 0, length: size }] });
  assertSameContent(src, dst);
  assert.equal(stats.bytesRead, size);
  assert.equal(stats.bytesWritten, M + 256 * K);
  assert.equal(stats.bytesZeroed, size - M - 256 * K);
  assert.deepEqual(dst.allocated(), src.allocated());
});

test("with source extents, holes are never read", async () => {
  const size = 32 * M;
  const src = diskWith(size, [[8 * M, 2 * M]]);
  const source = new MemorySource(src);
  const target = new MemoryTarget(new MemoryDisk(size));
  const stats = await copyDisk({ source, target, areas: [{ offset: 0, length: size }], chunkSize: M });
  assert.equal(stats.bytesRead, 2 * M);
  assert.equal(source.reads, 2);
  assert.equal(stats.bytesZeroed, size - 2 * M);
  // Zero runs are merged: one zero op before and one after the data.
  assert.equal(target.ops.zeroes, 2);
});

test("an incremental copy touches only the listed areas", async () => {
  const size = 8 * M;
  const src = diskWith(size, [[0, size]]);
  const dst = diskWith(size, [[0, size]]);
  const before = dst.read(0, size);
  const areas = [
    { offset: M, length: 64 * K },
    { offset: 3 * M + 512, length: 4 * K },
  ];
  const stats = await copyDisk({ source: new MemorySource(src), target: new MemoryTarget(dst), areas, coalesceGap: 0 });
  assert.equal(stats.totalBytes, 64 * K + 4 * K);
  const after = dst.read(0, size);
  for (const a of areas) assert.ok(after.subarray(a.offset, a.offset + a.length).equals(src.read(a.offset, a.length)));
  assert.ok(after.subarray(0, M).equals(before.subarray(0, M)), "bytes outside the areas changed");
  assert.ok(after.subarray(M + 64 * K, 3 * M).equals(before.subarray(M + 64 * K, 3 * M)));
  assert.ok(after.subarray(3 * M + 512 + 4 * K).equals(before.subarray(3 * M + 512 + 4 * K)));
});

test("zeroUnlisted makes everything unlisted zero on the target (rebase)", async () => {
  const size = 8 * M;
  const src = diskWith(size, [[2 * M, M]]);
  const dst = diskWith(size, [[0, size]]);
  const target = new MemoryTarget(dst);
  const stats = await copyDisk({
    source: new MemorySource(src, { withExtents: false }),
    target,
    areas: [{ offset: 2 * M, length: M }],
    zeroUnlisted: true,
  });
  assertSameContent(src, dst);
  assert.equal(stats.totalBytes, size);
  assert.equal(stats.bytesRead, M);
  assert.equal(target.ops.bytesZeroed, 7 * M);
  assert.deepEqual(dst.allocated(), [{ offset: 2 * M, length: M }]);
});

test("workers and bytes in flight stay within the limits", async () => {
  const size = 64 * M;
  const slow = new SlowSource(new MemorySource(diskWith(size, [[0, size]], Buffer.alloc(size, 7))), 5);
  const stats = await copyDisk({
    source: slow,
    target: new MemoryTarget(new MemoryDisk(size)),
    areas: [{ offset: 0, length: size }],
    chunkSize: M,
    requests: 32,
    maxBytesInFlight: 8 * M,
  });
  assert.equal(stats.workers, 8);
  assert.ok(slow.maxRunning <= 8, `reads at once: ${slow.maxRunning}`);
  assert.ok(slow.maxRunning >= 2, "no parallelism at all");
});

test("the first read error aborts the copy with disk, offset and endpoint, and nothing is flushed", async () => {
  const size = 32 * M;
  const slow = new SlowSource(new MemorySource(diskWith(size, [[0, size]])), 2, 13 * M + 5);
  const target = new MemoryTarget(new MemoryDisk(size));
  await assert.rejects(
    copyDisk({ source: slow, target, areas: [{ offset: 0, length: size }], chunkSize: M, disk: "disk 2001" }),
    (e: unknown) => {
      assert.ok(e instanceof V2kError);
      assert.equal(e.code, "NBD_SOURCE_FAILED");
      assert.match(e.message, /disk 2001/);
      assert.match(e.message, new RegExp(`offset ${13 * M}`));
      assert.match(e.message, /slow source/);
      return true;
    },
  );
  assert.equal(target.ops.flushes, 0);
});

test("ENOSPC from the target becomes TARGET_FULL; an endpoint's own V2kError passes unchanged", async () => {
  const size = 8 * M;
  const target = new MemoryTarget(new MemoryDisk(size));
  target.write = async () => {
    throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
  };
  await assert.rejects(
    copyDisk({ source: new MemorySource(diskWith(size, [[0, size]])), target, areas: [{ offset: 0, length: size }], disk: "disk 2000" }),
    (e: unknown) => e instanceof V2kError && e.code === "TARGET_FULL" && /disk 2000/.test(e.message),
  );
  const own = new V2kError("SESSION_EXPIRED", "the vCenter session expired", "log in again");
  const source = new MemorySource(diskWith(size, [[0, size]]));
  source.read = async () => {
    throw own;
  };
  await assert.rejects(
    copyDisk({ source, target: new MemoryTarget(new MemoryDisk(size)), areas: [{ offset: 0, length: size }] }),
    (e: unknown) => e === own,
  );
});

test("an abort signal cancels promptly", async () => {
  const size = 256 * M;
  const slow = new SlowSource(new MemorySource(diskWith(size, [[0, 4 * M]])), 1500);
  const target = new MemoryTarget(new MemoryDisk(size));
  const ac = new AbortController();
  let abortedAt = 0;
  setTimeout(() => {
    abortedAt = Date.now();
    ac.abort();
  }, 120);
  await assert.rejects(
    copyDisk({ source: slow, target, areas: [{ offset: 0, length: size }], chunkSize: M, requests: 4, signal: ac.signal }),
    (e: unknown) => e instanceof V2kError && e.code === "CANCELLED",
  );
  // Prompt: the copy answers at once although reads of 1.5 s are still in flight.
  assert.ok(abortedAt > 0 && Date.now() - abortedAt < 700, `took ${Date.now() - abortedAt} ms after the abort`);
  assert.equal(target.ops.flushes, 0);
});

test("progress is monotonic, counts skipped bytes and ends at the total", async () => {
  const size = 64 * M;
  const src = diskWith(size, [[0, 16 * M]]);
  const reports: CopyProgress[] = [];
  const slow = new SlowSource(new MemorySource(src), 1);
  slow.extents = (o: number, n: number) => new MemorySource(src).extents!(o, n);
  await copyDisk({
    source: slow,
    target: new MemoryTarget(new MemoryDisk(size)),
    areas: [{ offset: 0, length: size }],
    targetIsZero: true,
    chunkSize: M,
    progressIntervalMs: 0,
    onProgress: (p) => reports.push(p),
  });
  assert.ok(reports.length > 10);
  for (let i = 1; i < reports.length; i++) assert.ok(reports[i]!.bytes >= reports[i - 1]!.bytes);
  assert.equal(reports.at(-1)!.bytes, size);
  assert.ok(reports.every((r) => r.total === size && r.rateBps >= 0));
});

test("progress is throttled to the interval", async () => {
  const size = 16 * M;
  const reports: CopyProgress[] = [];
  await copyDisk({
    source: new SlowSource(new MemorySource(diskWith(size, [[0, size]])), 2),
    target: new MemoryTarget(new MemoryDisk(size)),
    areas: [{ offset: 0, length: size }],
    chunkSize: 256 * K,
    progressIntervalMs: 60_000,
    onProgress: (p) => reports.push(p),
  });
  assert.equal(reports.length, 1, "only the final report within one interval");
});

test("a target smaller than the source is refused before anything is written", async () => {
  const target = new MemoryTarget(new MemoryDisk(M));
  await assert.rejects(
    copyDisk({ source: new MemorySource(new MemoryDisk(2 * M)), target, areas: [] }),
    (e: unknown) => e instanceof V2kError && e.code === "DST_TOO_SMALL",
  );
  assert.equal(target.ops.writes + target.ops.zeroes, 0);
});

test("several disks copy at once with independent engines", async () => {
  const size = 16 * M;
  const pairs = Array.from({ length: 3 }, (_, i) => ({ src: diskWith(size, [[i * M, 4 * M]]), dst: new MemoryDisk(size) }));
  await Promise.all(
    pairs.map((p, i) =>
      copyDisk({
        source: new MemorySource(p.src),
        target: new MemoryTarget(p.dst),
        areas: [{ offset: 0, length: size }],
        disk: `disk ${i}`,
      }),
    ),
  );
  for (const p of pairs) assertSameContent(p.src, p.dst);
});

test("small copy ranges are read and zero-detected without asking for extents", async () => {
  const size = 64 * M;
  const src = diskWith(size, [[M, 64 * K]]);
  const source = new MemorySource(src);
  let extentCalls = 0;
  const inner = source.extents!;
  source.extents = (o, n) => {
    extentCalls++;
    return inner(o, n);
  };
  const dst = new MemoryDisk(size);
  await copyDisk({
    source,
    target: new MemoryTarget(dst),
    areas: [
      { offset: M, length: 2 * M },
      { offset: 30 * M, length: 32 * M },
    ],
  });
  assert.equal(extentCalls, 1, "only the 32 MiB range should be refined");
  assertSameContent(src, dst);
});

test("a source that stops answering fails the copy with TRANSFER_STALLED after the stall window", async () => {
  const size = 8 * M;
  const hanging: BlockSource = { size, label: "hung source", read: () => new Promise<Buffer>(() => {}), close: async () => {} };
  const target = new MemoryTarget(new MemoryDisk(size));
  const started = Date.now();
  await assert.rejects(
    copyDisk({ source: hanging, target, areas: [{ offset: 0, length: size }], stallTimeoutMs: 200, disk: "disk 7" }),
    (e: unknown) =>
      e instanceof V2kError && e.code === "TRANSFER_STALLED" && /disk 7/.test(e.message) && /hung source/.test(e.detail ?? ""),
  );
  assert.ok(Date.now() - started < 2000);
  assert.equal(target.ops.flushes, 0);
  // Slow but moving copies are not stalls.
  const slow = new SlowSource(new MemorySource(diskWith(size, [[0, size]])), 30);
  await copyDisk({ source: slow, target, areas: [{ offset: 0, length: size }], chunkSize: 256 * K, requests: 1, stallTimeoutMs: 200 });
});
