// Bandwidth limits as the engine's own pacing: a source wrapper that spaces reads so one disk copy
// stays under its share. Shares are recomputed every second from the slot directory: the host-wide
// limit is split evenly among the copies running on the host, a migration's --bwlimit among its own
// copies. Pacing the reads (not nbdkit's rate filter) works for every source kind, needs no per-copy
// rate file, and follows the number of copies as they start and end.
import { type BlockSource } from "../endpoints/index";

export interface PaceShares {
  /** Bytes per second for this copy now; 0 or Infinity: unlimited. */
  (): number;
}

const REFRESH_MS = 1000;
const BURST_S = 0.25;

/** Reserves time for each read: a read of n bytes starts when the previous reservations are used up. */
export class Pacer {
  private nextFree = 0;
  private rate = 0;
  private refreshedAt = -Infinity;

  constructor(private readonly share: PaceShares) {}

  private currentRate(now: number): number {
    if (now - this.refreshedAt >= REFRESH_MS) {
      this.rate = this.share();
      this.refreshedAt = now;
    }
    return this.rate;
  }

  /** Resolves when `bytes` may be read. */
  async take(bytes: number): Promise<void> {
    const now = Date.now();
    const rate = this.currentRate(now);
    if (!(rate > 0) || rate === Infinity) return;
    const start = Math.max(this.nextFree, now - BURST_S * 1000);
    this.nextFree = start + (bytes / rate) * 1000;
    const wait = start - now;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

export function pacedSource(source: BlockSource, pacer: Pacer): BlockSource {
  const paced: BlockSource = {
    get size() {
      return source.size;
    },
    get label() {
      return source.label;
    },
    get heldBytes() {
      return source.heldBytes ?? 0;
    },
    async read(offset, length, into) {
      await pacer.take(length);
      return source.read(offset, length, into);
    },
    close: () => source.close(),
  };
  if (source.extents) paced.extents = (offset, length) => source.extents!(offset, length);
  // Batched reads stay batched (one socket write for many small extents), paced by their total.
  if (source.readMany) {
    paced.readMany = async (areas, into) => {
      await pacer.take(areas.reduce((sum, a) => sum + a.length, 0));
      return source.readMany!(areas, into);
    };
  }
  return paced;
}
