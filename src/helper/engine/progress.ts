// Throttled progress: completed bytes (skipped and zeroed bytes included), reported at most once
// per interval, plus a final report. The rate is measured over the last interval.

export interface CopyProgress {
  /** Bytes completed so far, monotonic, up to total. */
  bytes: number;
  total: number;
  /** Bytes per second since the previous report. */
  rateBps: number;
  /** Estimated seconds left from the average rate so far; absent until something was done. */
  etaSec?: number;
}

export class ProgressMeter {
  private done = 0;
  private lastBytes = 0;
  private lastAt: number;
  private readonly startedAt: number;

  constructor(
    private readonly total: number,
    private readonly report: ((p: CopyProgress) => void) | undefined,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = this.lastAt = now();
  }

  get bytes(): number {
    return this.done;
  }

  add(n: number): void {
    this.done += n;
    if (this.report && this.now() - this.lastAt >= this.intervalMs) this.emit();
  }

  /** Always reports (used once at the end). */
  finish(): void {
    if (this.report) this.emit();
  }

  private emit(): void {
    const t = this.now();
    const dt = (t - this.lastAt) / 1000;
    const rateBps = dt > 0 ? (this.done - this.lastBytes) / dt : 0;
    const avg = (this.done / Math.max(t - this.startedAt, 1)) * 1000;
    const p: CopyProgress = { bytes: this.done, total: this.total, rateBps: Math.max(0, Math.round(rateBps)) };
    if (this.done > 0 && avg > 0) p.etaSec = Math.max(0, Math.round((this.total - this.done) / avg));
    this.lastAt = t;
    this.lastBytes = this.done;
    this.report!(p);
  }
}
