import { test } from "node:test";
import assert from "node:assert/strict";
import {
  absorbSmallZeroes,
  coalesceAreas,
  complementAreas,
  normalizeAreas,
  packRanges,
  planRanges,
  refineWithExtents,
  splitRange,
  totalBytes,
  MAX_ZERO_OP,
  type PlanRange,
} from "../../../src/helper/engine/plan";
import { parseSize } from "../../../src/kit/sizes";
import { zeroRuns, isZero, ZERO_GRANULE } from "../../../src/helper/engine/zero-detect";
import { V2kError } from "../../../src/shared/v2k-error";

const K = 1024;
const M = 1024 * 1024;
const pairs = (xs: { offset: number; length: number }[]) => xs.map((x) => [x.offset, x.length]);

test("normalizeAreas sorts, drops empty areas and merges overlaps and touching areas", () => {
  const out = normalizeAreas(
    [
      { offset: 100, length: 50 },
      { offset: 0, length: 10 },
      { offset: 10, length: 5 },
      { offset: 120, length: 100 },
      { offset: 500, length: 0 },
    ],
    1000,
  );
  assert.deepEqual(pairs(out), [
    [0, 15],
    [100, 120],
  ]);
});

test("normalizeAreas refuses areas outside the disk", () => {
  assert.throws(() => normalizeAreas([{ offset: 900, length: 200 }], 1000), V2kError);
  assert.throws(() => normalizeAreas([{ offset: -1, length: 2 }], 1000), V2kError);
});

test("coalesceAreas merges areas whose gap is at most the coalesce gap", () => {
  const areas = [
    { offset: 0, length: 4 * K },
    { offset: 8 * K, length: 4 * K },
    { offset: 100 * K, length: 4 * K },
  ];
  assert.deepEqual(pairs(coalesceAreas(areas, 4 * K)), [
    [0, 12 * K],
    [100 * K, 4 * K],
  ]);
  assert.deepEqual(pairs(coalesceAreas(areas, 3 * K)), pairs(areas));
  assert.deepEqual(pairs(coalesceAreas(areas, M)), [[0, 104 * K]]);
});

test("coalesceAreas within a budget merges the smallest gaps first and never reads more than the budget", () => {
  // four 64 KiB changes with gaps of 512 KiB, 64 KiB and 128 KiB
  const areas = [
    { offset: 0, length: 64 * K },
    { offset: 576 * K, length: 64 * K },
    { offset: 704 * K, length: 64 * K },
    { offset: 896 * K, length: 64 * K },
  ];
  assert.deepEqual(pairs(coalesceAreas(areas, M, 64 * K)), [
    [0, 64 * K],
    [576 * K, 192 * K],
    [896 * K, 64 * K],
  ]);
  assert.deepEqual(pairs(coalesceAreas(areas, M, 192 * K)), [
    [0, 64 * K],
    [576 * K, 384 * K],
  ]);
  assert.deepEqual(pairs(coalesceAreas(areas, M, 0)), pairs(areas), "no budget, no gap read");
  assert.deepEqual(pairs(coalesceAreas(areas, M)), [[0, 960 * K]], "no limit: every gap up to the coalesce gap");
  // the plan applies the budget as a share of the listed bytes: 0.25 x 256 KiB allows the 64 KiB gap only
  const plan = (share: number) => planRanges({ size: 2 * M, areas, coalesceGap: M, coalesceBudget: share, zeroUnlisted: false });
  assert.equal(plan(0.25).length, 3);
  assert.equal(totalBytes(plan(0.25)), 320 * K);
  assert.equal(plan(0.2).length, 4, "0.2 x 256 KiB is less than the smallest gap");
});

test("complementAreas gives exactly the unlisted parts", () => {
  assert.deepEqual(
    pairs(
      complementAreas(
        [
          { offset: 10, length: 10 },
          { offset: 50, length: 50 },
        ],
        100,
      ),
    ),
    [
      [0, 10],
      [20, 30],
    ],
  );
  assert.deepEqual(pairs(complementAreas([], 100)), [[0, 100]]);
  assert.deepEqual(pairs(complementAreas([{ offset: 0, length: 100 }], 100)), []);
});

test("planRanges with zeroUnlisted covers the whole disk once, in disk order", () => {
  const size = 10 * M;
  const ranges = planRanges({
    size,
    areas: [
      { offset: 5 * M, length: M },
      { offset: M, length: 4 * K },
      { offset: M + 8 * K, length: 4 * K },
    ],
    coalesceGap: 64 * K,
    zeroUnlisted: true,
  });
  assert.deepEqual(
    ranges.map((r) => [r.kind, r.offset, r.length]),
    [
      ["zero", 0, M],
      ["copy", M, 12 * K],
      ["zero", M + 12 * K, 4 * M - 12 * K],
      ["copy", 5 * M, M],
      ["zero", 6 * M, 4 * M],
    ],
  );
  assert.equal(totalBytes(ranges), size);
  const plain = planRanges({ size, areas: [{ offset: M, length: M }], coalesceGap: 0, zeroUnlisted: false });
  assert.deepEqual(
    plain.map((r) => r.kind),
    ["copy"],
  );
});

test("splitRange cuts copies at absolute chunk boundaries and zeroes at MAX_ZERO_OP", () => {
  const ops = [...splitRange({ kind: "copy", offset: 3 * M, length: 10 * M }, 4 * M)];
  assert.deepEqual(
    ops.map((o) => [o.offset, o.length]),
    [
      [3 * M, M],
      [4 * M, 4 * M],
      [8 * M, 4 * M],
      [12 * M, M],
    ],
  );
  const zeros = [...splitRange({ kind: "zero", offset: 0, length: 2 * MAX_ZERO_OP + 5 }, 4 * M)];
  assert.deepEqual(
    zeros.map((o) => o.length),
    [MAX_ZERO_OP, MAX_ZERO_OP, 5],
  );
  assert.ok(zeros.every((o) => o.kind === "zero"));
});

test("refineWithExtents turns zero extents into zero ranges and merges neighbours", () => {
  const out = refineWithExtents({ kind: "copy", offset: 100, length: 900 }, [
    { offset: 0, length: 200, zero: false },
    { offset: 200, length: 100, zero: true },
    { offset: 300, length: 100, zero: true },
    { offset: 400, length: 700, zero: false },
  ]);
  assert.deepEqual(
    out.map((r) => [r.kind, r.offset, r.length]),
    [
      ["copy", 100, 100],
      ["zero", 200, 200],
      ["copy", 400, 600],
    ],
  );
  assert.throws(() => refineWithExtents({ kind: "copy", offset: 0, length: 100 }, [{ offset: 0, length: 50, zero: false }]), V2kError);
});

test("absorbSmallZeroes folds short zero gaps between copies into one copy, keeps long ones and edges", () => {
  const c = (offset: number, length: number) => ({ kind: "copy" as const, offset, length });
  const z = (offset: number, length: number) => ({ kind: "zero" as const, offset, length });
  const ranges = [z(0, 10), c(10, 4), z(14, 8), c(22, 4), z(26, 8), c(34, 4), z(38, 100), c(138, 4), z(142, 5)];
  assert.deepEqual(absorbSmallZeroes(ranges, 8), [z(0, 10), c(10, 28), z(38, 100), c(138, 4), z(142, 5)]);
  assert.deepEqual(absorbSmallZeroes(ranges, 0), ranges);
  assert.equal(totalBytes(absorbSmallZeroes(ranges, 1000)), totalBytes(ranges));
});

test("absorbSmallZeroes with an allocation unit folds holes whose units hold data on both sides, only those", () => {
  const c = (offset: number, length: number) => ({ kind: "copy" as const, offset, length });
  const z = (offset: number, length: number) => ({ kind: "zero" as const, offset, length });
  const U = 64 * K;
  // Data ends inside unit 0, the next starts in unit 1: the hole lies in units both allocate.
  const adjacent = [c(0, 4 * K), z(4 * K, 70 * K), c(74 * K, 4 * K)];
  assert.deepEqual(absorbSmallZeroes(adjacent, 0, U), [c(0, 78 * K)]);
  // The next data starts in unit 2: the hole covers all of unit 1, which would be allocated for nothing.
  const apart = [c(0, 4 * K), z(4 * K, 126 * K), c(130 * K, 4 * K)];
  assert.deepEqual(absorbSmallZeroes(apart, 0, U), apart);
  // Data ending exactly at a unit's end: the next unit must hold data already.
  const edge = [c(0, U), z(U, U), c(2 * U, 4 * K)];
  assert.deepEqual(absorbSmallZeroes(edge, 0, U), edge);
  assert.deepEqual(absorbSmallZeroes([c(0, U), z(U, U - 1), c(2 * U - 1, 4 * K)], 0, U), [c(0, 2 * U - 1 + 4 * K)]);
  // Unit 1 (no unit) folds nothing beyond the gap.
  assert.deepEqual(absorbSmallZeroes(adjacent, 0, 1), adjacent);
});

test("packRanges packs small copies with their holes into ops of bounded pieces and data, covering every byte once", () => {
  const c = (offset: number, length: number) => ({ kind: "copy" as const, offset, length });
  const z = (offset: number, length: number) => ({ kind: "zero" as const, offset, length });
  const chunk = 64 * K;
  // 40 extents of 4 KiB every 12 KiB, a 1 MiB data extent, then 3 more small extents and a trailing hole.
  const ranges: PlanRange[] = [z(0, 8 * K)];
  let at = 8 * K;
  for (let i = 0; i < 40; i++) {
    ranges.push(c(at, 4 * K), z(at + 4 * K, 8 * K));
    at += 12 * K;
  }
  ranges.push(c(at, M));
  at += M;
  for (let i = 0; i < 3; i++) {
    ranges.push(c(at, 4 * K), z(at + 4 * K, 8 * K));
    at += 12 * K;
  }
  const ops = [...packRanges(ranges, chunk, 8)];
  // The leading hole alone; 40 pieces in 5 packs of 8 (32 KiB each <= chunk); the big extent in chunks; 1 pack of 3.
  assert.deepEqual(ops[0], z(0, 8 * K));
  const packs = ops.filter((o) => o.pieces);
  assert.deepEqual(
    packs.map((o) => o.pieces!.length),
    [8, 8, 8, 8, 8, 3],
  );
  for (const o of packs) {
    assert.ok(totalBytes(o.pieces!) <= chunk);
    for (const p of o.pieces!) assert.ok(p.offset >= o.offset && p.offset + p.length <= o.offset + o.length);
  }
  // The large extent is cut at absolute chunk boundaries, as splitRange cuts it.
  const plain = ops.filter((o) => !o.pieces && o.kind === "copy");
  assert.equal(totalBytes(plain), M);
  assert.ok(plain.every((o) => o.length <= chunk));
  // Ops tile the ranges: contiguous, in order, same total; every data byte is in a piece or a plain copy.
  let next = 0;
  for (const o of ops) {
    assert.equal(o.offset, next);
    next = o.offset + o.length;
  }
  assert.equal(next, at);
  const dataIn = (o: (typeof ops)[number]) => (o.pieces ? totalBytes(o.pieces) : o.kind === "copy" ? o.length : 0);
  assert.equal(
    ops.reduce((n, o) => n + dataIn(o), 0),
    totalBytes(ranges.filter((r) => r.kind === "copy")),
  );
  // Data of a pack never exceeds the chunk, whatever the piece count allows.
  assert.deepEqual(
    [
      ...packRanges(
        [
          c(0, 8 * K),
          z(8 * K, K),
          c(9 * K, 8 * K),
          z(17 * K, K),
          c(18 * K, 8 * K),
          z(26 * K, K),
          c(27 * K, 8 * K),
          z(35 * K, K),
          c(36 * K, 8 * K),
        ],
        32 * K,
        64,
      ),
    ].map((o) => [o.offset, o.length, o.pieces?.length]),
    [
      [0, 36 * K, 4],
      [36 * K, 8 * K, undefined],
    ],
  );
});

test("zeroRuns finds granule-aligned zero runs relative to the disk offset", () => {
  const buf = Buffer.alloc(4 * ZERO_GRANULE, 1);
  buf.fill(0, ZERO_GRANULE, 3 * ZERO_GRANULE);
  assert.deepEqual(
    zeroRuns(buf, 0).map((r) => [r.zero, r.start, r.length]),
    [
      [false, 0, ZERO_GRANULE],
      [true, ZERO_GRANULE, 2 * ZERO_GRANULE],
      [false, 3 * ZERO_GRANULE, ZERO_GRANULE],
    ],
  );
  // A buffer starting mid-granule is cut at the disk's granule boundaries.
  const shifted = zeroRuns(buf, ZERO_GRANULE / 2);
  assert.deepEqual(
    shifted.map((r) => [r.zero, r.start, r.length]),
    [
      [false, 0, 1.5 * ZERO_GRANULE],
      [true, 1.5 * ZERO_GRANULE, ZERO_GRANULE],
      [false, 2.5 * ZERO_GRANULE, 1.5 * ZERO_GRANULE],
    ],
  );
  assert.equal(totalBytes(shifted.map((r) => ({ offset: r.start, length: r.length }))), buf.length);
  assert.ok(isZero(Buffer.alloc(3 * ZERO_GRANULE + 7)));
  const last = Buffer.alloc(3 * ZERO_GRANULE + 7);
  last[last.length - 1] = 1;
  assert.ok(!isZero(last));
});

test("parseSize understands bytes and binary units", () => {
  assert.equal(parseSize("4096"), 4096);
  assert.equal(parseSize("4M"), 4 * M);
  assert.equal(parseSize("4MiB"), 4 * M);
  assert.equal(parseSize("1g"), 1024 * M);
  assert.equal(parseSize("64K"), 64 * K);
  assert.equal(parseSize("four"), undefined);
  assert.equal(parseSize("-1"), undefined);
});
