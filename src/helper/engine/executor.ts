// The executor under copy and verify: N workers pull items from one lazy queue, so work in flight is
// bounded whatever the disk size. The first error (or an abort) wins: the others stop picking work,
// the run's signal aborts so work in flight can give up, and the caller is answered at once without
// waiting for requests that may never return. A watchdog fails the run with TRANSFER_STALLED when
// no request completed for the stall window (a hung VDDK/NFC session or a stuck server would
// otherwise block a round forever). Completed bytes feed a throttled progress meter.
import { V2kError } from "../../shared/v2k-error";
import { ProgressMeter, type CopyProgress } from "./progress";

export interface ExecutorOptions {
  /** What runs, for messages: "copy of disk 2000", "verify of disk 2000". */
  what: string;
  signal?: AbortSignal;
  /** Fail with TRANSFER_STALLED when no request completed for this long. */
  stallTimeoutMs: number;
  /** Next step named in the stall error's hint. */
  stallHint: string;
  /** The endpoints involved, for the stall error's detail. */
  stallDetail?: string;
  /** Next step named in the CANCELLED error's hint. */
  cancelHint: string;
  /** Bytes the run covers; progress ends at this value. */
  total: number;
  onProgress?: (p: CopyProgress) => void;
  progressIntervalMs: number;
  /** Turns what a work item threw into a V2kError (V2kErrors are passed through). Default: INTERNAL. */
  toError?: (e: unknown) => V2kError;
}

/** What a run saw, for tests and figures. */
export interface ExecutorStats {
  /** The most work items that were running at once. */
  maxRunning: number;
  /** Work items completed. */
  completed: number;
}

export class Executor {
  readonly stats: ExecutorStats = { maxRunning: 0, completed: 0 };
  private failure: V2kError | undefined;
  private rejectRun!: (e: V2kError) => void;
  private readonly failed: Promise<never>;
  private readonly controller = new AbortController();
  private readonly meter: ProgressMeter;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private lastActivity = performance.now();
  private running = 0;
  private readonly onAbort = () => this.fail(this.cancelled());

  constructor(private readonly o: ExecutorOptions) {
    this.failed = new Promise<never>((_, reject) => (this.rejectRun = reject));
    this.failed.catch(() => {});
    this.meter = new ProgressMeter(o.total, o.onProgress, o.progressIntervalMs);
    const tick = Math.max(10, Math.min(5000, Math.floor(o.stallTimeoutMs / 4)));
    this.watchdog = setInterval(() => this.checkStall(), tick);
    if (o.signal?.aborted) this.onAbort();
    o.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** Aborted at the first failure: work in flight may stop early (its result is ignored anyway). */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get failedWith(): V2kError | undefined {
    return this.failure;
  }

  /** A request completed: the watchdog's window starts again. */
  touch(): void {
    this.lastActivity = performance.now();
  }

  /** Bytes done (skipped bytes included). */
  progress(bytes: number): void {
    this.meter.add(bytes);
  }

  /** The first failure wins; later ones are dropped. */
  fail(e: unknown): void {
    if (this.failure) return;
    this.failure = this.toV2k(e);
    this.controller.abort(this.failure);
    this.rejectRun(this.failure);
  }

  /**
   * Run `work` on every item with at most `workers` items at once. Resolves when the queue is empty and
   * every item succeeded; rejects with the first failure at once. Items are pulled lazily: a failing
   * queue (an async generator that throws) fails the run like a failing item.
   */
  async run<T>(items: Iterable<T> | AsyncIterable<T>, workers: number, work: (item: T, worker: number) => Promise<void>): Promise<void> {
    const queue = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : toAsync(items[Symbol.iterator]());
    const worker = async (index: number): Promise<void> => {
      while (!this.failure) {
        const next = await queue.next();
        if (next.done || this.failure) return;
        this.running++;
        this.stats.maxRunning = Math.max(this.stats.maxRunning, this.running);
        try {
          await work(next.value, index);
          this.stats.completed++;
        } finally {
          this.running--;
        }
      }
    };
    const all = Array.from({ length: Math.max(1, workers) }, (_, i) => worker(i).catch((e: unknown) => this.fail(e)));
    try {
      await Promise.race([Promise.all(all), this.failed]);
      if (this.failure) throw this.failure;
    } finally {
      if (this.failure) void queue.return?.(undefined).catch(() => {});
    }
  }

  /** One call (e.g. the final flush) under the same failure race, with a full stall window of its own. */
  async step<T>(call: () => Promise<T>): Promise<T> {
    if (this.failure) throw this.failure;
    this.touch();
    const result = await Promise.race([call(), this.failed]).catch((e: unknown) => {
      this.fail(e);
      throw this.failure!;
    });
    this.touch();
    return result;
  }

  /** The final progress report (always sent). */
  finish(): void {
    this.meter.finish();
  }

  close(): void {
    clearInterval(this.watchdog);
    this.o.signal?.removeEventListener("abort", this.onAbort);
  }

  private checkStall(): void {
    if (this.failure || performance.now() - this.lastActivity < this.o.stallTimeoutMs) return;
    const seconds = Math.round(this.o.stallTimeoutMs / 1000);
    this.fail(
      new V2kError("TRANSFER_STALLED", `${this.o.what}: no request completed for ${seconds} s`, this.o.stallHint, {
        ...(this.o.stallDetail !== undefined ? { detail: this.o.stallDetail } : {}),
      }),
    );
  }

  private cancelled(): V2kError {
    const reason = this.o.signal?.reason;
    return reason instanceof V2kError ? reason : new V2kError("CANCELLED", `${this.o.what} cancelled`, this.o.cancelHint);
  }

  private toV2k(e: unknown): V2kError {
    if (e instanceof V2kError) return e;
    if (this.o.toError) return this.o.toError(e);
    const message = e instanceof Error ? e.message : String(e);
    return new V2kError("INTERNAL", `${this.o.what} failed: ${message}`, "This is a bug in ablestack-v2k; report it with events.log.", {
      cause: e,
    });
  }
}

/** Run `body` with an executor that is always closed (watchdog stopped, abort listener removed). */
export async function withExecutor<R>(options: ExecutorOptions, body: (ex: Executor) => Promise<R>): Promise<R> {
  const ex = new Executor(options);
  try {
    return await body(ex);
  } finally {
    ex.close();
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return {
    next: async () => it.next(),
    return: async (v?: unknown) => it.return?.(v) ?? { done: true, value: undefined },
  };
}
