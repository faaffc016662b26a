// Block-by-block comparison of a source and a target read through the same BlockSource interface.
// A difference is reported with the disk, the offset of the first differing 4 KiB block and the
// length of the differing run inside the compared block.
import { type Area, type BlockSource } from "../endpoints/index";
import {
  COPY_DEFAULTS,
  endpointError,
  processCopyBudget,
  withExecutor,
  type CopyProgress,
  type EndpointRole,
  type Executor,
  type MemoryBudget,
} from "../engine/index";

export interface Mismatch {
  disk: number;
  offset: number;
  length: number;
}

export interface CompareStats {
  comparedBytes: number;
  blocks: number;
  mismatches: Mismatch[];
}

const GRAIN = 4096;

/** Differing 4 KiB-aligned runs of two equally long buffers at base offset `at`. */
export function diffRuns(a: Buffer, b: Buffer, at: number, disk: number): Mismatch[] {
  const out: Mismatch[] = [];
  for (let i = 0; i < a.length; i += GRAIN) {
    const end = Math.min(i + GRAIN, a.length);
    if (a.subarray(i, end).equals(b.subarray(i, end))) continue;
    const last = out[out.length - 1];
    if (last && last.offset + last.length === at + i) last.length += end - i;
    else out.push({ disk, offset: at + i, length: end - i });
  }
  return out;
}

export interface CompareOptions {
  disk: number;
  /** Disk label for messages (default "disk <key>"). */
  label?: string;
  /** Stop collecting after this many mismatches (the result says it is cut). */
  maxMismatches?: number;
  signal?: AbortSignal;
  /** Bytes compared so far, throttled like the copy's progress (about once a second, plus a final report). */
  onProgress?: (p: CopyProgress) => void;
  progressIntervalMs?: number;
  /** Areas compared at once (each reads both sides). Default 4. */
  parallel?: number;
  /** Fail with TRANSFER_STALLED when no read completed for this long. Default: the copy's (10 minutes). */
  stallTimeoutMs?: number;
  /** The budget the read buffers come from. Default: the process's, shared with copies (`processCopyBudget`). */
  budget?: MemoryBudget;
}

/**
 * Compare the areas on the executor: bounded parallel reads of both sides, the first read error fails
 * the verify (with the side, disk and offset) and stops the rest, a hung side fails it after the
 * stall window. Collecting stops once maxMismatches are found. The read buffers come from the copy
 * budget like a copy's: one buffer per area holds both sides, so a verify beside copies stays within it.
 */
export async function compareAreas(source: BlockSource, target: BlockSource, areas: Area[], o: CompareOptions): Promise<CompareStats> {
  const stats: CompareStats = { comparedBytes: 0, blocks: 0, mismatches: [] };
  const max = o.maxMismatches ?? 100;
  const disk = o.label ?? `disk ${o.disk}`;
  const executor = {
    what: `verify of ${disk}`,
    stallTimeoutMs: o.stallTimeoutMs ?? COPY_DEFAULTS.stallTimeoutMs,
    stallHint: "The source or target stopped answering; check the host and network, then re-run the verify.",
    stallDetail: `source: ${source.label}\ntarget: ${target.label}`,
    cancelHint: "Re-run the verify: it reads the disks again.",
    total: areas.reduce((n, a) => n + a.length, 0),
    progressIntervalMs: o.progressIntervalMs ?? COPY_DEFAULTS.progressIntervalMs,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  };
  const read = async (side: BlockSource, role: EndpointRole, ex: Executor, a: Area, into: Buffer) => {
    try {
      const data = await side.read(a.offset, a.length, into);
      ex.touch();
      return data;
    } catch (e) {
      throw endpointError(e, { role, disk, offset: a.offset, endpoint: side.label });
    }
  };
  const parallel = o.parallel ?? 4;
  const share = await (o.budget ?? processCopyBudget).join({
    chunkSize: 2 * areas.reduce((n, a) => Math.max(n, a.length), 1),
    buffers: parallel,
    heldBytes: (source.heldBytes ?? 0) + (target.heldBytes ?? 0),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  try {
    await withExecutor(executor, async (ex) => {
      const pending = function* () {
        for (const a of areas) if (stats.mismatches.length < max) yield a;
      };
      await ex.run(pending(), parallel, (a) =>
        // one buffer holds both sides: two per area could deadlock a share with room for one
        share.withBuffer(2 * a.length, async (into) => {
          const [s, t] = await Promise.all([
            read(source, "source", ex, a, into.subarray(0, a.length)),
            read(target, "target", ex, a, into.subarray(a.length, 2 * a.length)),
          ]);
          if (!s.equals(t)) stats.mismatches.push(...diffRuns(s, t, a.offset, o.disk));
          stats.comparedBytes += a.length;
          stats.blocks++;
          ex.progress(a.length);
        }),
      );
      ex.finish();
    });
  } finally {
    share.leave();
  }
  stats.mismatches.sort((x, y) => x.offset - y.offset);
  stats.mismatches.splice(max);
  return stats;
}

/** Split [0, size) minus the areas known to be zero on both sides into blocks of at most blockSize. */
export function fullAreas(size: number, blockSize: number, allocated: Area[] | null): Area[] {
  const ranges = allocated ?? [{ offset: 0, length: size }];
  const out: Area[] = [];
  for (const r of ranges) {
    for (let off = r.offset; off < r.offset + r.length; off += blockSize) {
      out.push({ offset: off, length: Math.min(blockSize, r.offset + r.length - off) });
    }
  }
  return out;
}

/** Union of two sorted area lists (allocated on either side) merged into non-overlapping runs. */
export function unionAreas(a: Area[], b: Area[]): Area[] {
  const all = [...a, ...b].filter((x) => x.length > 0).sort((x, y) => x.offset - y.offset);
  const out: Area[] = [];
  for (const x of all) {
    const last = out[out.length - 1];
    if (last && x.offset <= last.offset + last.length) last.length = Math.max(last.length, x.offset + x.length - last.offset);
    else out.push({ ...x });
  }
  return out;
}

/** The parts of sorted `areas` outside the sorted, non-overlapping `exclude` ranges. */
export function subtractAreas(areas: Area[], exclude: Area[]): Area[] {
  const out: Area[] = [];
  let j = 0;
  for (const a of areas) {
    let start = a.offset;
    const end = a.offset + a.length;
    while (j < exclude.length && exclude[j]!.offset + exclude[j]!.length <= start) j++;
    for (let k = j; k < exclude.length && exclude[k]!.offset < end && start < end; k++) {
      const x = exclude[k]!;
      if (x.offset > start) out.push({ offset: start, length: x.offset - start });
      start = Math.max(start, x.offset + x.length);
    }
    if (start < end) out.push({ offset: start, length: end - start });
  }
  return out;
}
