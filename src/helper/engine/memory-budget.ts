// One budget for the copy memory of a process: the chunk buffers of every disk copied at once plus the
// socket read buffers of their NBD connections stay within a fixed figure whatever the disk count.
// A copy joins with what it wants (workers x chunk) and gets a share: alone it gets all it wants (the
// default 8 x 4 MiB), side by side the shares are dealt out a chunk at a time, so N disks split the
// budget evenly; a copy that ends gives its share back and the others grow again. A share is charged
// by the bytes its operations hold, not a chunk each: a 64 KiB area holds a 64 KiB buffer, so a disk of
// small areas keeps all its workers busy on a share of a few chunks. Buffers are lent per operation in
// power-of-two sizes and reused across copies (no allocation per op, none left for the GC to find).
import { V2kError } from "../../shared/v2k-error";

/**
 * What one process spends on copy buffers and socket read buffers, all disks together. One disk still
 * gets the default 8 x 4 MiB; with Node's own ~60 MiB (its binary's pages ~43, the heap ~14) a copy
 * process stays under 128 MiB. 4 disks with 64 MiB peaked at 127-128 MiB, with 48 MiB at 109-112 and
 * no slower (README, Performance).
 */
export const PROCESS_COPY_BUDGET = 48 * 1024 * 1024;

export interface ShareRequest {
  /** Bytes per buffer. */
  chunkSize: number;
  /** The most buffers the copy can use at once (its workers). */
  buffers: number;
  /** Memory the copy's endpoints keep while open (their connections' socket read buffers). */
  heldBytes: number;
  /** A copy waiting for its first buffer gives up with CANCELLED when this aborts. */
  signal?: AbortSignal;
}

/** The smallest buffer lent: smaller operations share its size, so few sizes are kept for reuse. */
export const MIN_BUFFER = 64 * 1024;

interface Waiter {
  size: number;
  resolve: (b: Buffer) => void;
  reject: (e: unknown) => void;
}

/** A copy's part of the budget: lends buffers while the copy holds less than its current share. */
export class BudgetShare {
  /** Chunks the share may hold now, in bytes allowed x chunkSize (changes as copies join and leave). */
  allowed = 0;
  /** Buffers lent out and not given back. */
  held = 0;
  /** Their bytes. */
  heldBytes = 0;
  /** The most buffers held at once (the operations that had one). */
  maxHeld = 0;
  closed = false;
  readonly waiters: Waiter[] = [];

  constructor(
    private readonly budget: MemoryBudget,
    readonly chunkSize: number,
    readonly wanted: number,
    readonly socketBytes: number,
  ) {}

  /**
   * A buffer of at least `bytes` (default: a chunk), charged to the share by its length; waits while the
   * share holds its due or the budget is spent. Its length is `bytes` rounded up to a power of two, at
   * least MIN_BUFFER, or the chunk size past a quarter chunk, so buffers given back fit later operations.
   */
  acquire(bytes = this.chunkSize): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error("buffer asked from a closed budget share"));
    if (bytes > this.chunkSize)
      return Promise.reject(new RangeError(`buffer of ${bytes} bytes asked from a share of ${this.chunkSize}-byte chunks`));
    // Past a quarter chunk an operation takes a whole chunk, as large ones always did: a base copy keeps
    // reusing one size (mixed sizes of kept buffers measured 5-8 MiB more RSS with 2 disks).
    const size = bytes > this.chunkSize / 4 ? this.chunkSize : Math.max(MIN_BUFFER, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
    return new Promise<Buffer>((resolve, reject) => {
      this.waiters.push({ size, resolve, reject });
      this.budget.serve();
    });
  }

  /**
   * Run one operation on a buffer of at least `bytes`: given back for reuse when it succeeded, dropped when
   * it failed (a request of it may still be in flight).
   */
  async withBuffer(bytes: number, body: (buffer: Buffer) => Promise<void>): Promise<void> {
    const buffer = await this.acquire(bytes);
    try {
      await body(buffer);
    } catch (e) {
      this.discard(buffer);
      throw e;
    }
    this.release(buffer);
  }

  /** The buffer's operation settled: nothing writes into it or sends from it any more, so others may reuse it. */
  release(buffer: Buffer): void {
    this.budget.giveBack(this, buffer, true);
  }

  /**
   * The buffer's operation failed: a request of it may still be in flight (a batch rejects at its first
   * error), so the buffer is never lent again; its bytes leave the budget.
   */
  discard(buffer: Buffer): void {
    this.budget.giveBack(this, buffer, false);
  }

  /** The copy ended: its share goes to the others. Buffers still out (a failed copy's requests) leave the budget. */
  leave(): void {
    this.budget.remove(this);
  }
}

export class MemoryBudget {
  private readonly admitted: BudgetShare[] = [];
  private readonly pending: Array<{ share: BudgetShare; admit: () => void }> = [];
  private readonly free = new Map<number, Buffer[]>();
  /** Lent buffers and their shares: a late give-back from a share that left is recognised. */
  private readonly lent = new Map<Buffer, BudgetShare>();
  private socketBytes = 0;
  private bufferBytes = 0;
  /** The most bytes (buffers and sockets) charged at once. */
  peakBytes = 0;

  constructor(readonly totalBytes: number) {}

  /** Bytes charged now: buffers that exist (lent or kept for reuse) and the sockets of joined copies. */
  get usedBytes(): number {
    return this.bufferBytes + this.socketBytes;
  }

  /**
   * Join with a copy's wants. Resolves once the copy has a share of at least one buffer: while the budget
   * cannot give every copy one, later copies wait their turn (the first copy never waits).
   */
  join(req: ShareRequest): Promise<BudgetShare> {
    const share = new BudgetShare(this, req.chunkSize, Math.max(1, req.buffers), Math.max(0, req.heldBytes));
    this.socketBytes += share.socketBytes;
    this.notePeak();
    return new Promise<BudgetShare>((resolve, reject) => {
      const signal = req.signal;
      const onAbort = () => {
        const i = this.pending.findIndex((p) => p.share === share);
        if (i >= 0) this.pending.splice(i, 1);
        this.socketBytes -= share.socketBytes;
        reject(cancelled(signal));
        this.admit(); // the copies behind it may fit now
      };
      const admit = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve(share);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.push({ share, admit });
      this.admit();
    });
  }

  /** Shares now due to each joined copy, in buffers (for figures and tests). */
  shares(): number[] {
    return this.admitted.map((s) => s.allowed);
  }

  /** @internal A share's buffer comes back: reused when its operation settled, dropped otherwise or once the share left. */
  giveBack(share: BudgetShare, buffer: Buffer, reusable: boolean): void {
    if (!this.lent.delete(buffer)) return; // the share left meanwhile: its buffers were already uncharged
    share.held--;
    share.heldBytes -= buffer.length;
    if (reusable) this.keep(buffer);
    else this.bufferBytes -= buffer.length;
    this.serve();
  }

  /** @internal */
  remove(share: BudgetShare): void {
    if (share.closed) return;
    share.closed = true;
    for (const w of share.waiters.splice(0)) w.reject(new Error("budget share left"));
    // Buffers still lent belong to requests of a failed copy that may still be in flight: they are not
    // waited for (a hung server would hold the budget forever) and never lent again.
    for (const [buffer, holder] of this.lent) {
      if (holder !== share) continue;
      this.lent.delete(buffer);
      this.bufferBytes -= buffer.length;
    }
    const i = this.admitted.indexOf(share);
    if (i >= 0) this.admitted.splice(i, 1);
    this.socketBytes -= share.socketBytes;
    if (this.admitted.length === 0 && this.pending.length === 0) this.dropFree();
    this.admit();
  }

  /** Admit waiting copies while every admitted copy can still have one buffer; then deal the shares again. */
  private admit(): void {
    while (this.pending.length > 0) {
      const next = this.pending[0]!.share;
      const minimum = this.admitted.reduce((n, s) => n + s.chunkSize, next.chunkSize);
      if (this.admitted.length > 0 && this.socketBytes + minimum > this.totalBytes) break;
      this.admitted.push(next);
      this.pending.shift()!.admit();
    }
    this.deal();
    this.serve();
  }

  /**
   * One buffer to every admitted copy, then one more at a time, in turn, to those wanting more while the
   * budget holds it: equal wants get equal shares (within one buffer), a copy wanting less leaves the rest.
   */
  private deal(): void {
    let left = this.totalBytes - this.socketBytes;
    for (const s of this.admitted) {
      s.allowed = 1;
      left -= s.chunkSize;
    }
    for (let dealt = true; dealt;) {
      dealt = false;
      for (const s of this.admitted) {
        if (s.allowed >= s.wanted || left < s.chunkSize) continue;
        s.allowed++;
        left -= s.chunkSize;
        dealt = true;
      }
    }
  }

  /**
   * Hand buffers to waiting shares whose bytes held stay within their due, first come first served. A
   * share holding nothing always gets its next buffer (a share is at least one chunk).
   */
  serve(): void {
    for (const s of this.admitted) {
      while (s.waiters.length > 0) {
        const size = s.waiters[0]!.size;
        if (s.held > 0 && s.heldBytes + size > s.allowed * s.chunkSize) break;
        const buffer = this.take(size);
        if (!buffer) break;
        s.held++;
        s.heldBytes += buffer.length;
        s.maxHeld = Math.max(s.maxHeld, s.held);
        this.lent.set(buffer, s);
        s.waiters.shift()!.resolve(buffer);
      }
    }
  }

  /**
   * A kept buffer of that size; else a new one when the budget has room; else the smallest larger kept
   * one (no allocation); else a new one after dropping kept buffers of other sizes, smallest first.
   */
  private take(size: number): Buffer | undefined {
    const kept = this.free.get(size)?.pop();
    if (kept) return kept;
    if (this.usedBytes + size > this.totalBytes) {
      const larger = [...this.free.keys()].filter((k) => k > size && this.free.get(k)!.length > 0).sort((a, b) => a - b)[0];
      if (larger !== undefined) return this.free.get(larger)!.pop();
      for (const k of [...this.free.keys()].sort((a, b) => a - b)) {
        const list = this.free.get(k)!;
        while (list.length > 0 && this.usedBytes + size > this.totalBytes) this.bufferBytes -= list.pop()!.length;
      }
    }
    // Sockets alone may exceed the budget (many connections): one buffer in all still lets a copy move.
    if (this.usedBytes + size > this.totalBytes && this.lent.size > 0) return undefined;
    this.bufferBytes += size;
    this.notePeak();
    return Buffer.allocUnsafeSlow(size);
  }

  private keep(buffer: Buffer): void {
    const list = this.free.get(buffer.length) ?? [];
    list.push(buffer);
    this.free.set(buffer.length, list);
  }

  private dropFree(): void {
    for (const list of this.free.values()) for (const b of list) this.bufferBytes -= b.length;
    this.free.clear();
  }

  private notePeak(): void {
    this.peakBytes = Math.max(this.peakBytes, this.usedBytes);
  }
}

function cancelled(signal: AbortSignal | undefined): unknown {
  const reason: unknown = signal?.reason;
  return reason instanceof V2kError
    ? reason
    : new V2kError(
        "CANCELLED",
        "copy cancelled while waiting for copy memory",
        "Re-run the command: the copy starts again from the last committed state.",
      );
}

/** The budget every copy of this process shares. */
export const processCopyBudget = new MemoryBudget(PROCESS_COPY_BUDGET);
