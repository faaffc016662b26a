// copyDisk: one disk, one engine instance. Plan (areas -> ranges -> ops), then N workers pull ops
// from one lazy queue; each worker owns one chunk buffer, so memory is workers x chunk whatever
// the disk size. Zeros found in read data become WRITE_ZEROES (or nothing on a zeroed target).
// The first error or an abort rejects at once; the target is flushed only after every op
// succeeded, and the caller may advance changeIds only after copyDisk resolved (flushedAt).
import { TUNING_DEFAULTS } from "../../shared/requests/commands";
import { V2kError } from "../../shared/v2k-error";
import { nbdToV2kError } from "../nbd/errors";
import { type Area, type BlockSource, type BlockTarget } from "../endpoints/types";
import { absorbSmallZeroes, planRanges, refineWithExtents, splitRange, totalBytes, type PlanOp, type PlanRange } from "./plan";
import { ProgressMeter, type CopyProgress } from "./progress";
import { zeroRuns } from "./zero-detect";

export const COPY_DEFAULTS = {
  chunkSize: TUNING_DEFAULTS.chunkSize, // the defaults the CLI help prints (src/shared/requests)
  requests: TUNING_DEFAULTS.requests,
  maxBytesInFlight: 64 * 1024 * 1024,
  coalesceGap: 1024 * 1024,
  progressIntervalMs: 1000,
  stallTimeoutMs: 10 * 60 * 1000,
} as const;

/** Zero extents up to this size between data extents are read with them (one request, not two per extent). */
export const EXTENTS_GAP = 256 * 1024;

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
  /** Cap on buffered data in flight; workers = min(requests, maxBytesInFlight / chunkSize). Default 64 MiB. */
  maxBytesInFlight?: number;
  /** Areas closer than this are copied as one (gap included). Default 1 MiB. */
  coalesceGap?: number;
  /** Disk label for messages, e.g. "disk 2000". */
  disk?: string;
  signal?: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
  progressIntervalMs?: number;
  /**
   * Fail with TIMEOUT when no request completed for this long (a hung VDDK/NFC session or a stuck
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
  durationMs: number;
  /** totalBytes per second, in 10^6 bytes. */
  mbPerSec: number;
  /** When the final target flush completed (ISO 8601). */
  flushedAt: string;
}

export async function copyDisk(options: CopyOptions): Promise<CopyStats> {
  const started = performance.now();
  const { source, target } = options;
  const disk = options.disk ?? "disk";
  const chunkSize = options.chunkSize ?? COPY_DEFAULTS.chunkSize;
  const requests = options.requests ?? COPY_DEFAULTS.requests;
  const maxBytes = options.maxBytesInFlight ?? COPY_DEFAULTS.maxBytesInFlight;
  if (!Number.isInteger(chunkSize) || chunkSize < 4096 || chunkSize > 64 * 1024 * 1024 || chunkSize % 512 !== 0) {
    throw new V2kError("USAGE", `chunk size ${chunkSize} is invalid`, "Use a multiple of 512 between 4 KiB and 64 MiB.");
  }
  if (!Number.isInteger(requests) || requests < 1 || requests > 1024)
    throw new V2kError("USAGE", `requests ${requests} is invalid`, "Use 1 to 1024.");
  const workers = Math.max(1, Math.min(requests, Math.floor(maxBytes / chunkSize)));
  if (target.size < source.size) {
    throw new V2kError(
      "DST_TOO_SMALL",
      `${disk}: the target (${target.size} bytes) is smaller than the source (${source.size} bytes)`,
      "Grow the target image to the source size (the disk grew at the source), then re-run.",
    );
  }
  const ranges = planRanges({
    size: source.size,
    areas: options.areas,
    coalesceGap: options.coalesceGap ?? COPY_DEFAULTS.coalesceGap,
    zeroUnlisted: options.zeroUnlisted ?? false,
  });
  const total = totalBytes(ranges);
  const stats: CopyStats = {
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
  const meter = new ProgressMeter(total, options.onProgress, options.progressIntervalMs ?? COPY_DEFAULTS.progressIntervalMs);
  const useExtents = options.useSourceExtents ?? source.extents !== undefined;
  const targetIsZero = options.targetIsZero ?? false;
  const detectZeroes = options.detectZeroes ?? true;

  // First failure wins; everything else stops picking work and the caller is answered at once.
  let failure: V2kError | undefined;
  let rejectRun!: (e: V2kError) => void;
  const failed = new Promise<never>((_, reject) => (rejectRun = reject));
  failed.catch(() => {});
  const fail = (e: unknown, role: "source" | "target", offset: number) => {
    if (failure) return;
    failure = nbdToV2kError(e, { role, disk, offset, endpoint: role === "source" ? source.label : target.label });
    rejectRun(failure);
  };
  const onAbort = () => {
    if (failure) return;
    const reason = options.signal?.reason;
    failure =
      reason instanceof V2kError
        ? reason
        : new V2kError(
            "CANCELLED",
            `copy of ${disk} cancelled`,
            "Re-run the command: the copy starts again from the last committed state.",
          );
    rejectRun(failure);
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  // Watchdog: any completed request counts as progress.
  const stallMs = options.stallTimeoutMs ?? COPY_DEFAULTS.stallTimeoutMs;
  let lastActivity = performance.now();
  const touch = () => {
    lastActivity = performance.now();
  };
  const watchdog = setInterval(
    () => {
      if (failure || performance.now() - lastActivity < stallMs) return;
      failure = new V2kError(
        "TIMEOUT",
        `${disk}: no copy request completed for ${Math.round(stallMs / 1000)} s`,
        "The source or target stopped answering; check the host and network, then re-run the sync.",
        { detail: `source: ${source.label}\ntarget: ${target.label}` },
      );
      rejectRun(failure);
    },
    Math.max(10, Math.min(5000, Math.floor(stallMs / 4))),
  );

  async function* operations(): AsyncGenerator<PlanOp> {
    for (const range of ranges) {
      // Small ranges (typical incremental areas) are read and zero-detected instead: one extents
      // round trip per small range would cost more than it saves.
      if (range.kind === "copy" && useExtents && source.extents && range.length >= EXTENTS_MIN_RANGE) {
        for (let at = range.offset; at < range.offset + range.length; at += EXTENTS_WINDOW) {
          const window: PlanRange = { kind: "copy", offset: at, length: Math.min(EXTENTS_WINDOW, range.offset + range.length - at) };
          let refined: PlanRange[];
          try {
            refined = absorbSmallZeroes(refineWithExtents(window, await source.extents(window.offset, window.length)), EXTENTS_GAP);
            stats.requests++;
            touch();
          } catch (e) {
            fail(e, "source", window.offset);
            return;
          }
          for (const r of refined) yield* splitRange(r, chunkSize);
        }
      } else {
        yield* splitRange(range, chunkSize);
      }
    }
  }
  const queue = operations();

  const zeroRange = async (offset: number, length: number) => {
    if (targetIsZero) {
      stats.bytesSkipped += length;
      return;
    }
    stats.requests++;
    await target.writeZeroes(offset, length);
    stats.bytesZeroed += length;
    touch();
  };

  async function worker(): Promise<void> {
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      if (failure) return;
      const next = await queue.next();
      if (next.done || failure) return;
      const op = next.value;
      if (op.kind === "zero") {
        try {
          await zeroRange(op.offset, op.length);
        } catch (e) {
          return fail(e, "target", op.offset);
        }
        meter.add(op.length);
        continue;
      }
      let data: Buffer;
      try {
        stats.requests++;
        data = await source.read(op.offset, op.length, buffer);
        stats.bytesRead += op.length;
        touch();
      } catch (e) {
        return fail(e, "source", op.offset);
      }
      if (failure) return;
      const runs = detectZeroes ? zeroRuns(data, op.offset) : [{ zero: false, start: 0, length: data.length }];
      let failedAt = op.offset;
      try {
        await Promise.all(
          runs.map(async (r) => {
            const at = op.offset + r.start;
            try {
              if (r.zero) return await zeroRange(at, r.length);
              stats.requests++;
              await target.write(at, data.subarray(r.start, r.start + r.length));
              stats.bytesWritten += r.length;
              touch();
            } catch (e) {
              failedAt = at;
              throw e;
            }
          }),
        );
      } catch (e) {
        return fail(e, "target", failedAt);
      }
      meter.add(op.length);
    }
  }

  try {
    await Promise.race([Promise.all(Array.from({ length: workers }, () => worker())), failed]);
    if (failure) throw failure;
    stats.requests++;
    touch(); // the flush gets a full stall window of its own
    await Promise.race([target.flush().catch((e: unknown) => fail(e, "target", 0)), failed]);
    if (failure) throw failure;
    stats.flushedAt = new Date().toISOString();
    meter.finish();
    stats.durationMs = Math.round(performance.now() - started);
    stats.mbPerSec = stats.durationMs > 0 ? Math.round((total / 1e6 / (stats.durationMs / 1000)) * 10) / 10 : 0;
    return stats;
  } finally {
    clearInterval(watchdog);
    options.signal?.removeEventListener("abort", onAbort);
    if (failure) void queue.return(undefined).catch(() => {});
  }
}
