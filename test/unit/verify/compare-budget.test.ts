// A verify reads into buffers of the copy budget, like a copy: within it beside copies, reused, given back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { MemoryBudget } from "../../../src/helper/engine/index";
import { MemoryDisk, MemorySource, type BlockSource } from "../../../src/helper/endpoints/index";
import { compareAreas, fullAreas } from "../../../src/helper/verify/compare";

const M = 1024 * 1024;

/** A source that records the buffers it is asked to read into. */
function recording(inner: MemorySource, into: Set<ArrayBuffer | undefined>): BlockSource {
  return {
    size: inner.size,
    label: inner.label,
    heldBytes: M,
    read: async (offset, length, buffer) => {
      into.add(buffer?.buffer as ArrayBuffer | undefined);
      await new Promise((r) => setTimeout(r, 1));
      return inner.read(offset, length, buffer);
    },
    close: async () => {},
  };
}

test("a verify reads both sides into reused buffers of the copy budget and gives them back", async () => {
  const size = 16 * M;
  const a = new MemoryDisk(size);
  a.write(0, randomBytes(size));
  const b = new MemoryDisk(size);
  b.write(0, a.read(0, size));
  b.write(5 * M + 100, Buffer.from([a.read(5 * M + 100, 1)[0]! ^ 0xff]));
  const budget = new MemoryBudget(8 * M);
  const buffers = new Set<ArrayBuffer | undefined>();
  const stats = await compareAreas(
    recording(new MemorySource(a), buffers),
    recording(new MemorySource(b), buffers),
    fullAreas(size, M, null),
    {
      disk: 1,
      parallel: 4,
      budget,
    },
  );
  assert.deepEqual(stats.mismatches, [{ disk: 1, offset: 5 * M, length: 4096 }]);
  assert.equal(stats.comparedBytes, size);
  assert.ok(!buffers.has(undefined), "every read went into a lent buffer");
  // 8 MiB less 2 MiB of sockets holds three 2 MiB buffers (each area's two sides in one)
  assert.ok(buffers.size <= 3, `buffers read into: ${buffers.size}`);
  assert.ok(budget.peakBytes <= budget.totalBytes, `peak ${budget.peakBytes / M} MiB`);
  assert.equal(budget.usedBytes, 0);
});
