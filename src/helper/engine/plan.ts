// Planning a disk copy: the listed areas (QCDA changed areas or allocated areas) are validated,
// merged, coalesced across small gaps, optionally complemented (zeroUnlisted) and then cut into
// bounded operations lazily, so that a multi-TiB disk never materialises millions of objects.
import { V2kError } from "../../shared/v2k-error";
import { type Area, type Extent } from "../endpoints/types";

export type OpKind = "copy" | "zero";

/** A planned range before splitting: copy (read from the source) or zero (make zero on the target). */
export interface PlanRange {
  kind: OpKind;
  offset: number;
  length: number;
}

/** One unit of work for a worker. */
export interface PlanOp extends PlanRange {
  /**
   * A copy of a fragmented span: only these ranges (sorted, inside the span, at most a chunk in all)
   * hold data and are read, in one batch; the rest of the span reads as zeros at the source.
   */
  pieces?: readonly Area[];
}

/** Most pieces in one op: a batch's requests in flight per worker. */
export const MAX_PIECES = 64;

/** Largest single zero operation (WRITE_ZEROES lengths are 32-bit; servers split further). */
export const MAX_ZERO_OP = 1024 * 1024 * 1024;

/** Sort, check against the disk size and merge overlapping or touching areas. */
export function normalizeAreas(areas: readonly Area[], size: number): Area[] {
  for (const a of areas) {
    if (!Number.isSafeInteger(a.offset) || !Number.isSafeInteger(a.length) || a.offset < 0 || a.length < 0 || a.offset + a.length > size) {
      throw new V2kError(
        "INTERNAL",
        `area ${a.offset}+${a.length} lies outside the disk of ${size} bytes`,
        "The changed-area list does not fit the disk; re-run with a fresh changed-area query (rebase).",
      );
    }
  }
  const sorted = areas
    .filter((a) => a.length > 0)
    .map((a) => ({ offset: a.offset, length: a.length }))
    .sort((x, y) => x.offset - y.offset);
  const out: Area[] = [];
  for (const a of sorted) {
    const last = out.at(-1);
    if (last && a.offset <= last.offset + last.length) last.length = Math.max(last.length, a.offset + a.length - last.offset);
    else out.push(a);
  }
  return out;
}

/**
 * Merge (normalized) areas separated by at most `gap` bytes: one larger read beats many small ones.
 * The gaps read with them add at most `budget` bytes: the smallest gaps are merged first, so a
 * scattered round saves the most requests for the bytes it may read beyond the listed ones.
 */
export function coalesceAreas(areas: readonly Area[], gap: number, budget = Infinity): Area[] {
  const gaps: { i: number; size: number }[] = [];
  for (let i = 1; i < areas.length; i++) {
    const size = areas[i]!.offset - (areas[i - 1]!.offset + areas[i - 1]!.length);
    if (size <= gap) gaps.push({ i, size });
  }
  const merge = new Uint8Array(areas.length); // merge[i]: area i joins area i-1
  if (gaps.length > 0) {
    let spent = 0;
    for (const g of budget === Infinity ? gaps : gaps.sort((x, y) => x.size - y.size)) {
      if (spent + g.size > budget) break;
      spent += g.size;
      merge[g.i] = 1;
    }
  }
  const out: Area[] = [];
  for (const [i, a] of areas.entries()) {
    const last = out.at(-1);
    if (last && merge[i]) last.length = a.offset + a.length - last.offset;
    else out.push({ ...a });
  }
  return out;
}

/** The parts of [0, size) not covered by the (normalized) areas. */
export function complementAreas(areas: readonly Area[], size: number): Area[] {
  const out: Area[] = [];
  let at = 0;
  for (const a of areas) {
    if (a.offset > at) out.push({ offset: at, length: a.offset - at });
    at = Math.max(at, a.offset + a.length);
  }
  if (at < size) out.push({ offset: at, length: size - at });
  return out;
}

export interface PlanInput {
  size: number;
  areas: readonly Area[];
  coalesceGap: number;
  /** Gap bytes coalescing may add, as a share of the listed bytes (0.2: read at most 1.2x). Default: no limit. */
  coalesceBudget?: number;
  /** Everything not listed must end up zero on the target (rebase into an existing target). */
  zeroUnlisted: boolean;
}

/** Copy and zero ranges in disk order; their lengths sum to the work the progress counts. */
export function planRanges(input: PlanInput): PlanRange[] {
  const areas = normalizeAreas(input.areas, input.size);
  const budget = input.coalesceBudget === undefined ? Infinity : input.coalesceBudget * totalBytes(areas);
  const copy = coalesceAreas(areas, input.coalesceGap, budget);
  const ranges: PlanRange[] = copy.map((a) => ({ kind: "copy", ...a }));
  if (input.zeroUnlisted) for (const z of complementAreas(copy, input.size)) ranges.push({ kind: "zero", ...z });
  return ranges.sort((x, y) => x.offset - y.offset);
}

export function totalBytes(ranges: readonly Area[]): number {
  return ranges.reduce((s, r) => s + r.length, 0);
}

/**
 * Cut a range into operations: copies at absolute multiples of `chunk` (so that requests line up
 * with target clusters), zeroes at MAX_ZERO_OP.
 */
export function* splitRange(range: PlanRange, chunk: number): Generator<PlanOp> {
  const limit = range.kind === "copy" ? chunk : MAX_ZERO_OP;
  let at = range.offset;
  const end = range.offset + range.length;
  while (at < end) {
    const next = Math.min(end, (Math.floor(at / limit) + 1) * limit);
    yield { kind: range.kind, offset: at, length: next - at };
    at = next;
  }
}

/**
 * Refine a copy range with source extents: zero extents become zero ranges (never read), data
 * extents stay copies. Adjacent results of one kind are merged, so zero runs become one request.
 */
export function refineWithExtents(range: PlanRange, extents: readonly Extent[]): PlanRange[] {
  const out: PlanRange[] = [];
  const end = range.offset + range.length;
  let at = range.offset;
  for (const e of extents) {
    const s = Math.max(e.offset, at);
    const t = Math.min(e.offset + e.length, end);
    if (t <= s) continue;
    if (s !== at)
      throw new V2kError(
        "NBD_PROTOCOL",
        `source extents leave a gap at offset ${at}`,
        "The source returned inconsistent allocation data; retry.",
      );
    const kind: OpKind = e.zero ? "zero" : "copy";
    const last = out.at(-1);
    if (last && last.kind === kind) last.length += t - s;
    else out.push({ kind, offset: s, length: t - s });
    at = t;
  }
  if (at !== end)
    throw new V2kError(
      "NBD_PROTOCOL",
      `source extents end at ${at} instead of ${end}`,
      "The source returned inconsistent allocation data; retry.",
    );
  return out;
}

/**
 * Fold a zero range between two copies into one copy when it is at most `gap` bytes, or when it lies
 * in allocation units (`unit`: the target's cluster or block) that the copies on both sides allocate
 * anyway: the zeros then cost no target space, and one read replaces a read and a write per extent.
 * The folded zeros are read from the source (they read as zeros there), so the content never changes.
 */
export function absorbSmallZeroes(ranges: readonly PlanRange[], gap: number, unit = 1): PlanRange[] {
  const out: PlanRange[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const last = out.at(-1);
    const next = ranges[i + 1];
    if (r.kind === "zero" && last?.kind === "copy" && next?.kind === "copy" && (r.length <= gap || sharesUnits(r, unit))) {
      last.length += r.length + next.length;
      i++;
    } else if (last && last.kind === r.kind) {
      last.length += r.length;
    } else {
      out.push({ ...r });
    }
  }
  return out;
}

/** The range's first byte lies in the unit before its end's: every unit it touches holds data beside it. */
function sharesUnits(r: Area, unit: number): boolean {
  return Math.floor((r.offset + r.length) / unit) - Math.floor((r.offset - 1) / unit) <= 1;
}

/**
 * Cut refined ranges (contiguous, in disk order) into ops. Copies up to a quarter chunk are packed,
 * with the zero ranges between them, into ops of at most `maxPieces` pieces and a chunk of data: a
 * disk of scattered 4 KiB extents then costs one op per chunk of data, not an op per extent and hole.
 * Larger copies and zero ranges outside a pack are split as splitRange does.
 */
export function* packRanges(ranges: readonly PlanRange[], chunk: number, maxPieces = MAX_PIECES): Generator<PlanOp> {
  let pack: { offset: number; end: number; bytes: number; pieces: Area[] } | undefined;
  const done = (): PlanOp | undefined => {
    const p = pack;
    pack = undefined;
    if (!p) return undefined;
    const only = p.pieces.length === 1 && p.bytes === p.end - p.offset;
    return { kind: "copy", offset: p.offset, length: p.end - p.offset, ...(only ? {} : { pieces: p.pieces }) };
  };
  for (const r of ranges) {
    const end = r.offset + r.length;
    if (pack && (r.offset !== pack.end || (r.kind === "copy" && (pack.bytes + r.length > chunk || pack.pieces.length >= maxPieces)))) {
      yield done()!;
    }
    if (r.kind === "copy" && r.length <= chunk / 4) {
      pack ??= { offset: r.offset, end: r.offset, bytes: 0, pieces: [] };
      pack.pieces.push({ offset: r.offset, length: r.length });
      pack.bytes += r.length;
      pack.end = end;
    } else if (r.kind === "zero" && pack) {
      pack.end = end;
    } else {
      const op = done();
      if (op) yield op;
      yield* splitRange(r, chunk);
    }
  }
  const op = done();
  if (op) yield op;
}
