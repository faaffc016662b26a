// copyDisk: one disk, one engine instance. Plan (areas -> ranges -> ops), then the executor's N
// workers pull ops from one lazy queue; an op that reads borrows a buffer of its bytes from the process's
// copy budget (memory-budget.ts), so memory stays within it whatever the disk size or disk count. Zeros found in read data become WRITE_ZEROES (or nothing on a zeroed
// target). The first error or an abort rejects at once; the target is flushed only after every op
// succeeded, and the caller may advance changeIds only after copyDisk resolved (flushedAt).
import { TUNING_DEFAULTS } from "../../shared/requests/commands";
import { V2kError } from "../../shared/v2k-error";
import { type Area, type BlockSource, type BlockTarget, type BufferedArea } from "../endpoints/types";
import { endpointError, type EndpointRole } from "./endpoint-error";
import { withExecutor, type Executor } from "./executor";
import { processCopyBudget, type MemoryBudget } from "./memory-budget";
import { absorbSmallZeroes, packRanges, planRanges, refineWithExtents, splitRange, totalBytes, type PlanOp, type PlanRange } from "./plan";
import { type CopyProgress } from "./progress";
import { inOneGranule, zeroRuns, zeroSpan } from "./zero-detect";

export const COPY_DEFAULTS = {
  chunkSize: TUNING_DEFAULTS.chunkSize, // the defaults the CLI help prints (src/shared/requests)
  requests: TUNING_DEFAULTS.requests,
  maxBytesInFlight: 64 * 1024 * 1024,
  coalesceGap: 1024 * 1024,
  /** Coalescing reads at most 20% beyond the listed bytes (smallest gaps first): a scattered round reads <= 1.2x its changes. */
  coalesceBudget: 0.2,
  progressIntervalMs: 1000,
  stallTimeoutMs: 10 * 60 * 1000,
} as const;

/**
 * Zero extents up to this size between data extents are read with them; the ones lying in target
 * allocation units that the data on both sides allocates anyway always are. None beyond that: since
 * small extents go out in packs, a read and a write per extent cost less than reading the holes, and
 * zeros sent as data cost the target disk writes where it zero-fills a fresh cluster cheaply (2 GiB of
 * 4 KiB runs into qcow2: 256 KiB gaps 7.3-8.2 s, 64 KiB units 7.3-8.1 s, neither 6.0-6.5 s).
 */
export const EXTENTS_GAP = 0;

/** Copy ranges shorter than this are not refined with source extents. */
export const EXTENTS_MIN_RANGE = 16 * 1024 * 1024;

/**
 * Source extents are asked for this much at a time: a fragmented GiB answers with ~30k extents, whose
 * objects (and their copies while refined) grew the heap by tens of MiB; 64 MiB windows keep it small.
 */
export const EXTENTS_WINDOW = 64 * 1024 * 1024;

export interface CopyOptions {
  source: BlockSource;
  target: BlockTarget;
  /** Areas to copy (QCDA changed areas, or allocated areas for a base copy). Anything else is left alone. */
  areas: readonly Area[];
  /** Also make everything not listed zero on the target (rebase into an existing target). */
  zeroUnlisted?: boolean;
  /** The target reads as zeros already (freshly created): zero ranges are skipped, not written. */
  targetIsZero?: boolean;
  /** Ask the source for allocation extents inside the areas and never read its holes. Default: when the source has extents. */
  useSourceExtents?: boolean;
  /** Detect zeros in read data and write them as WRITE_ZEROES. Default true. */
  detectZeroes?: boolean;
  /** Bytes per read request. Default 4 MiB. */
  chunkSize?: number;
  /** Operations in flight (workers). Default 8. */
  requests?: number;
  /**
   * Cap on buffered data in flight; workers = min(requests, maxBytesInFlight / chunkSize). Default 64 MiB.
   * Copies side by side also share the process's copy budget: each holds only its share of buffers.
   */
  maxBytesInFlight?: number;
  /** The budget the buffers come from. Default: the process's (`processCopyBudget`). */
  budget?: MemoryBudget;
  /** Areas closer than this are copied as one (gap included). Default 1 MiB. */
  coalesceGap?: number;
  /** Gap bytes coalescing may read, as a share of the areas' bytes. Default 0.2. */
  coalesceBudget?: number;
  /** Disk label for messages, e.g. "disk 2000". */
  disk?: string;
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
  progressIntervalMs?: number;
  /**
   * Fail with TRANSFER_STALLED when no request completed for this long (a hung VDDK/NFC session or a stuck
   * server would otherwise block the round forever). Default 10 minutes.
   */
  stallTimeoutMs?: number;
}

export interface CopyStats {
  /** Bytes the plan covers (copy + zero ranges); progress ends at this value. */
  totalBytes: number;
  bytesRead: number;
  /** Data bytes written with WRITE. */
  bytesWritten: number;
  /** Bytes made zero with WRITE_ZEROES. */
  bytesZeroed: number;
  /** Zero bytes not sent at all because the target already reads as zeros. */
  bytesSkipped: number;
  /** Endpoint calls issued (reads, writes, zeroes, flush). */
  requests: number;
  workers: number;
  /** The most buffers the copy held at once (operations reading into its share of the process's copy budget). */
  maxBuffers?: number;
  durationMs: number;
  /** totalBytes per second, in 10^6 bytes. */
  mbPerSec: number;
  /** When the final target flush completed (ISO 8601). */
  flushedAt: string;
}

/** The settings of one copy after defaults and checks. */
interface CopySettings {
  disk: string;
  chunkSize: number;
  workers: number;
  useExtents: boolean;
  targetIsZero: boolean;
  detectZeroes: boolean;
  allocationUnit: number;
}

/** One copy in progress: what every worker shares. */
interface CopyRun extends CopySettings {
  source: BlockSource;
  target: BlockTarget;
  stats: CopyStats;
  ex: Executor;
}

export async function copyDisk(options: CopyOptions): Promise<CopyStats> {
  const started = performance.now();
  const { source, target } = options;
  const settings = copySettings(options);
  if (target.size < source.size) {
    throw new V2kError(
      "DST_TOO_SMALL",
      `${settings.disk}: the target (${target.size} bytes) is smaller than the source (${source.size} bytes)`,
      "Grow the target image to the source size (the disk grew at the source), then re-run.",
    );
  }
  const ranges = planRanges({
    size: source.size,
    areas: options.areas,
    coalesceGap: options.coalesceGap ?? COPY_DEFAULTS.coalesceGap,
    coalesceBudget: options.coalesceBudget ?? COPY_DEFAULTS.coalesceBudget,
    zeroUnlisted: options.zeroUnlisted ?? false,
  });
  const stats = emptyStats(totalBytes(ranges), settings.workers);
  const executor = {
    what: `copy of ${settings.disk}`,
    stallTimeoutMs: options.stallTimeoutMs ?? COPY_DEFAULTS.stallTimeoutMs,
    stallHint: "The source or target stopped answering; check the host and network, then re-run the sync.",
    stallDetail: `source: ${source.label}\ntarget: ${target.label}`,
    cancelHint: "Re-run the command: the copy starts again from the last committed state.",
    total: stats.totalBytes,
    progressIntervalMs: options.progressIntervalMs ?? COPY_DEFAULTS.progressIntervalMs,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  const share = await (options.budget ?? processCopyBudget).join({
    chunkSize: settings.chunkSize,
    buffers: settings.workers,
    heldBytes: (source.heldBytes ?? 0) + (target.heldBytes ?? 0),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    return await withExecutor(executor, async (ex) => {
      const run: CopyRun = { ...settings, source, target, stats, ex };
      await ex.run(copyOperations(run, ranges), settings.workers, (op) =>
        op.kind === "zero" ? zeroOperation(run, op) : share.withBuffer(bufferBytes(op), (buffer) => copyOperation(run, op, buffer)),
      );
      await ex.step(() => guarded(run, "target", 0, () => target.flush()));
      stats.flushedAt = new Date().toISOString();
      ex.finish();
      stats.maxBuffers = share.maxHeld;
      stats.durationMs = Math.round(performance.now() - started);
      stats.mbPerSec = stats.durationMs > 0 ? Math.round((stats.totalBytes / 1e6 / (stats.durationMs / 1000)) * 10) / 10 : 0;
      return stats;
    });
  } finally {
    share.leave();
  }
}

/** The bytes an op reads: the budget charges an op by them, not by a whole chunk. */
function bufferBytes(op: PlanOp): number {
  if (!op.pieces) return op.length;
  let bytes = 0;
  for (const p of op.pieces) bytes += p.length;
  return bytes;
}

function copySettings(options: CopyOptions): CopySettings {
  const chunkSize = options.chunkSize ?? COPY_DEFAULTS.chunkSize;
  const requests = options.requests ?? COPY_DEFAULTS.requests;
  const maxBytes = options.maxBytesInFlight ?? COPY_DEFAULTS.maxBytesInFlight;
  if (!Number.isInteger(chunkSize) || chunkSize < 4096 || chunkSize > 64 * 1024 * 1024 || chunkSize % 512 !== 0) {
    throw new V2kError("USAGE", `chunk size ${chunkSize} is invalid`, "Use a multiple of 512 between 4 KiB and 64 MiB.");
  }
  if (!Number.isInteger(requests) || requests < 1 || requests > 1024)
    throw new V2kError("USAGE", `requests ${requests} is invalid`, "Use 1 to 1024.");
  return {
    disk: options.disk ?? "disk",
    chunkSize,
    workers: Math.max(1, Math.min(requests, Math.floor(maxBytes / chunkSize))),
    useExtents: options.useSourceExtents ?? options.source.extents !== undefined,
    targetIsZero: options.targetIsZero ?? false,
    detectZeroes: options.detectZeroes ?? true,
    allocationUnit: options.target.allocationUnit ?? 4096,
  };
}

function emptyStats(total: number, workers: number): CopyStats {
  return {
    totalBytes: total,
    bytesRead: 0,
    bytesWritten: 0,
    bytesZeroed: 0,
    bytesSkipped: 0,
    requests: 0,
    workers,
    durationMs: 0,
    mbPerSec: 0,
    flushedAt: "",
  };
}

/** One endpoint call: counted, its completion feeds the watchdog, its failure names side and offset. */
async function guarded<T>(run: CopyRun, role: EndpointRole, offset: number, call: () => Promise<T>, requests = 1): Promise<T> {
  run.stats.requests += requests;
  try {
    const result = await call();
    run.ex.touch();
    return result;
  } catch (e) {
    const endpoint = role === "source" ? run.source.label : run.target.label;
    throw endpointError(e, { role, disk: run.disk, offset, endpoint });
  }
}

/** The plan's ranges as chunk-sized ops; large copy ranges are refined with source extents first. */
async function* copyOperations(run: CopyRun, ranges: readonly PlanRange[]): AsyncGenerator<PlanOp> {
  const { source } = run;
  for (const range of ranges) {
    // Small ranges (typical incremental areas) are read and zero-detected instead: one extents
    // round trip per small range would cost more than it saves.
    if (range.kind !== "copy" || !run.useExtents || !source.extents || range.length < EXTENTS_MIN_RANGE) {
      yield* splitRange(range, run.chunkSize);
      continue;
    }
    const extents = source.extents.bind(source);
    for (let at = range.offset; at < range.offset + range.length; at += EXTENTS_WINDOW) {
      const window: PlanRange = { kind: "copy", offset: at, length: Math.min(EXTENTS_WINDOW, range.offset + range.length - at) };
      const found = await guarded(run, "source", window.offset, () => extents(window.offset, window.length));
      yield* packRanges(absorbSmallZeroes(refineWithExtents(window, found), EXTENTS_GAP, run.allocationUnit), run.chunkSize);
    }
  }
}

async function zeroOperation(run: CopyRun, op: PlanOp): Promise<void> {
  await zeroRange(run, op.offset, op.length);
  run.ex.progress(op.length);
}

async function copyOperation(run: CopyRun, op: PlanOp, buffer: Buffer): Promise<void> {
  if (op.pieces) return copyPieces(run, op, op.pieces, buffer);
  const data = await guarded(run, "source", op.offset, () => run.source.read(op.offset, op.length, buffer.subarray(0, op.length)));
  run.stats.bytesRead += op.length;
  if (run.ex.failedWith) return;
  const runs = run.detectZeroes ? zeroRuns(data, op.offset) : [{ zero: false, start: 0, length: data.length }];
  await Promise.all(
    runs.map(async (r) => {
      const at = op.offset + r.start;
      if (r.zero) return zeroRange(run, at, r.length);
      await guarded(run, "target", at, () => run.target.write(at, data.subarray(r.start, r.start + r.length)));
      run.stats.bytesWritten += r.length;
    }),
  );
  run.ex.progress(op.length);
}

/**
 * A fragmented span: its pieces are read in one batch into the buffer (packed), zeros found in them and
 * the span's holes are zeroed (or skipped on a zeroed target), the data goes out in one batch. A span
 * holds up to 64 pieces of a few KiB: per piece, nothing is allocated beyond its read and write entry
 * (a scattered disk sends ~100k pieces, and their garbage cost more CPU than the copy's own code).
 */
async function copyPieces(run: CopyRun, op: PlanOp, pieces: readonly Area[], buffer: Buffer): Promise<void> {
  const reads: BufferedArea[] = [];
  let at = 0;
  for (const p of pieces) {
    reads.push({ offset: p.offset, length: p.length, at });
    at += p.length;
  }
  await guarded(run, "source", op.offset, () => readAreas(run.source, reads, buffer), reads.length);
  run.stats.bytesRead += at;
  if (run.ex.failedWith) return;
  const writes: BufferedArea[] = [];
  const zeroes: Area[] = [];
  for (const r of reads) {
    if (!run.detectZeroes) writes.push(r);
    else if (inOneGranule(r.offset, r.length)) (zeroSpan(buffer, r.at, r.length) ? zeroes : writes).push(r);
    else
      for (const z of zeroRuns(buffer.subarray(r.at, r.at + r.length), r.offset)) {
        if (z.zero) zeroes.push({ offset: r.offset + z.start, length: z.length });
        else writes.push({ offset: r.offset + z.start, length: z.length, at: r.at + z.start });
      }
  }
  const written = writes.reduce((n, w) => n + w.length, 0);
  await Promise.all([
    writes.length > 0 ? guarded(run, "target", writes[0]!.offset, () => writeAreas(run.target, writes, buffer), writes.length) : undefined,
    run.targetIsZero ? skipZeroes(run, op.length - written) : zeroAreas(run, [...holesBetween(op, pieces), ...zeroes]),
  ]);
  run.stats.bytesWritten += written;
  run.ex.progress(op.length);
}

/** A zeroed target: the span's holes and zeros are not sent (no request, no promise per hole). */
function skipZeroes(run: CopyRun, bytes: number): undefined {
  run.stats.bytesSkipped += bytes;
  return undefined;
}

async function zeroAreas(run: CopyRun, areas: readonly Area[]): Promise<void> {
  await Promise.all(areas.map((z) => zeroRange(run, z.offset, z.length)));
}

/** The parts of an op's span between its pieces. */
function holesBetween(op: PlanOp, pieces: readonly Area[]): Area[] {
  const out: Area[] = [];
  let at = op.offset;
  for (const p of pieces) {
    if (p.offset > at) out.push({ offset: at, length: p.offset - at });
    at = p.offset + p.length;
  }
  if (at < op.offset + op.length) out.push({ offset: at, length: op.offset + op.length - at });
  return out;
}

async function readAreas(source: BlockSource, areas: readonly BufferedArea[], into: Buffer): Promise<void> {
  if (source.readMany) return source.readMany(areas, into);
  await Promise.all(areas.map((a) => source.read(a.offset, a.length, into.subarray(a.at, a.at + a.length))));
}

async function writeAreas(target: BlockTarget, areas: readonly BufferedArea[], from: Buffer): Promise<void> {
  if (target.writeMany) return target.writeMany(areas, from);
  await Promise.all(areas.map((a) => target.write(a.offset, from.subarray(a.at, a.at + a.length))));
}

async function zeroRange(run: CopyRun, offset: number, length: number): Promise<void> {
  if (run.targetIsZero) {
    run.stats.bytesSkipped += length;
    return;
  }
  await guarded(run, "target", offset, () => run.target.writeZeroes(offset, length));
  run.stats.bytesZeroed += length;
}
