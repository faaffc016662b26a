// Verify's sampling and comparison on in-memory disks: seeded samples are reproducible and spread,
// a single changed byte is found and named by disk and offset, areas are merged correctly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryDisk, MemorySource } from "../../../src/helper/endpoints/index";
import { sampleBlocks } from "../../../src/helper/verify/sampling";
import { compareAreas, diffRuns, fullAreas, unionAreas } from "../../../src/helper/verify/compare";

const MiB = 1 << 20;

function pair(size: number): { a: MemoryDisk; b: MemoryDisk } {
  const a = new MemoryDisk(size);
  const b = new MemoryDisk(size);
  const data = Buffer.alloc(3 * MiB);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
  a.write(MiB, data);
  b.write(MiB, data);
  return { a, b };
}

test("samples: deterministic per seed and label, distinct, aligned, inside the disk", () => {
  const size = 64 * MiB + 12345;
  const s1 = sampleBlocks(size, MiB, 20, "abc", "disk-2000");
  assert.deepEqual(sampleBlocks(size, MiB, 20, "abc", "disk-2000"), s1);
  assert.notDeepEqual(sampleBlocks(size, MiB, 20, "abd", "disk-2000"), s1);
  assert.notDeepEqual(sampleBlocks(size, MiB, 20, "abc", "disk-2001"), s1);
  assert.equal(new Set(s1.map((x) => x.offset)).size, 20);
  for (const x of s1) {
    assert.equal(x.offset % MiB, 0);
    assert.ok(x.offset + x.length <= size);
  }
  // asking for more samples than blocks gives every block, the last one short
  const all = sampleBlocks(size, MiB, 1000, "abc", "d");
  assert.equal(all.length, 65);
  assert.equal(all[64]!.length, 12345);
});

test("a single changed byte is reported with its disk and 4 KiB-aligned offset", async () => {
  const { a, b } = pair(8 * MiB);
  b.write(2 * MiB + 5000, Buffer.from([0xee]));
  const r = await compareAreas(new MemorySource(a), new MemorySource(b), fullAreas(8 * MiB, MiB, null), { disk: 2000 });
  assert.equal(r.comparedBytes, 8 * MiB);
  assert.deepEqual(r.mismatches, [{ disk: 2000, offset: 2 * MiB + 4096, length: 4096 }]);
  const same = await compareAreas(new MemorySource(a), new MemorySource(a), fullAreas(8 * MiB, MiB, null), { disk: 2000 });
  assert.deepEqual(same.mismatches, []);
});

test("a quick sample that misses the changed block passes; one that covers it fails", async () => {
  const { a, b } = pair(8 * MiB);
  b.write(7 * MiB, Buffer.alloc(10, 1));
  const miss = await compareAreas(new MemorySource(a), new MemorySource(b), [{ offset: 0, length: MiB }], { disk: 1 });
  assert.equal(miss.mismatches.length, 0);
  const hit = await compareAreas(new MemorySource(a), new MemorySource(b), [{ offset: 7 * MiB, length: MiB }], { disk: 1 });
  assert.equal(hit.mismatches[0]?.offset, 7 * MiB);
});

test("diff runs merge adjacent grains; area helpers split and merge", () => {
  const x = Buffer.alloc(16384);
  const y = Buffer.alloc(16384);
  y[10] = 1;
  y[4096 + 1] = 1;
  y[12288 + 7] = 1;
  assert.deepEqual(diffRuns(x, y, 1 << 30, 7), [
    { disk: 7, offset: 1 << 30, length: 8192 },
    { disk: 7, offset: (1 << 30) + 12288, length: 4096 },
  ]);
  assert.deepEqual(fullAreas(10, 4, null), [
    { offset: 0, length: 4 },
    { offset: 4, length: 4 },
    { offset: 8, length: 2 },
  ]);
  assert.deepEqual(
    unionAreas(
      [
        { offset: 0, length: 10 },
        { offset: 30, length: 5 },
      ],
      [
        { offset: 5, length: 10 },
        { offset: 35, length: 1 },
      ],
    ),
    [
      { offset: 0, length: 15 },
      { offset: 30, length: 6 },
    ],
  );
});
