// In-memory sparse disks: the reference endpoints the engine is tested on first. Storage is a map
// of 64 KiB blocks, so large sparse disks cost only what is written. Operation counters let tests
// check that zero ranges were written as zeroes and never as data.
import { type Area, type BlockSource, type BlockTarget, type Extent, type TargetCapabilities } from "./types";

const BLOCK = 64 * 1024;

export class MemoryDisk {
  private readonly blocks = new Map<number, Buffer>();
  constructor(readonly size: number) {}

  read(offset: number, length: number, into?: Buffer): Buffer {
    this.check(offset, length);
    const out = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    let at = offset;
    while (at < offset + length) {
      const b = Math.floor(at / BLOCK);
      const inBlock = at - b * BLOCK;
      const n = Math.min(BLOCK - inBlock, offset + length - at);
      const block = this.blocks.get(b);
      if (block) block.copy(out, at - offset, inBlock, inBlock + n);
      else out.fill(0, at - offset, at - offset + n);
      at += n;
    }
    return out;
  }

  write(offset: number, data: Buffer): void {
    this.check(offset, data.length);
    let at = offset;
    while (at < offset + data.length) {
      const b = Math.floor(at / BLOCK);
      const inBlock = at - b * BLOCK;
      const n = Math.min(BLOCK - inBlock, offset + data.length - at);
      let block = this.blocks.get(b);
      if (!block) this.blocks.set(b, (block = Buffer.alloc(BLOCK)));
      data.copy(block, inBlock, at - offset, at - offset + n);
      at += n;
    }
  }

  /** Zero a range; whole blocks are dropped (a hole), partial blocks are filled with zeros. */
  zero(offset: number, length: number): void {
    this.check(offset, length);
    let at = offset;
    while (at < offset + length) {
      const b = Math.floor(at / BLOCK);
      const inBlock = at - b * BLOCK;
      const n = Math.min(BLOCK - inBlock, offset + length - at);
      if (n === BLOCK) this.blocks.delete(b);
      else this.blocks.get(b)?.fill(0, inBlock, inBlock + n);
      at += n;
    }
  }

  /** Allocated (stored) ranges, merged. */
  allocated(): Area[] {
    const out: Area[] = [];
    for (const b of [...this.blocks.keys()].sort((x, y) => x - y)) {
      const offset = b * BLOCK;
      const length = Math.min(BLOCK, this.size - offset);
      const last = out.at(-1);
      if (last && last.offset + last.length === offset) last.length += length;
      else out.push({ offset, length });
    }
    return out;
  }

  private check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.size) throw new RangeError(`${offset}+${length} outside ${this.size}`);
  }
}

export class MemorySource implements BlockSource {
  readonly label: string;
  reads = 0;
  constructor(
    readonly disk: MemoryDisk,
    options: { label?: string; withExtents?: boolean } = {},
  ) {
    this.label = options.label ?? "memory source";
    if (options.withExtents === false) delete this.extents;
  }
  get size(): number {
    return this.disk.size;
  }
  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    this.reads++;
    return this.disk.read(offset, length, into);
  }
  extents?: (offset: number, length: number) => Promise<Extent[]> = async (offset, length) => {
    const out: Extent[] = [];
    let at = offset;
    const push = (o: number, n: number, zero: boolean) => {
      const last = out.at(-1);
      if (last && last.zero === zero && last.offset + last.length === o) last.length += n;
      else out.push({ offset: o, length: n, zero });
    };
    for (const a of this.disk.allocated()) {
      const s = Math.max(a.offset, offset);
      const e = Math.min(a.offset + a.length, offset + length);
      if (e <= s) continue;
      if (s > at) push(at, s - at, true);
      push(s, e - s, false);
      at = e;
    }
    if (at < offset + length) push(at, offset + length - at, true);
    return out;
  };
  async close(): Promise<void> {}
}

export class MemoryTarget implements BlockTarget {
  readonly label: string;
  readonly capabilities: TargetCapabilities = { zeroes: true, fastZero: true, trim: true, fua: false };
  /** Counters for tests. */
  readonly ops = { writes: 0, bytesWritten: 0, zeroes: 0, bytesZeroed: 0, flushes: 0 };
  /** Bytes written since the last flush: what a crash would lose. */
  unflushedWrites = 0;
  readonly allocationUnit: number;
  constructor(
    readonly disk: MemoryDisk,
    options: { label?: string; allocationUnit?: number } = {},
  ) {
    this.label = options.label ?? "memory target";
    this.allocationUnit = options.allocationUnit ?? 4096;
  }
  get size(): number {
    return this.disk.size;
  }
  async write(offset: number, data: Buffer): Promise<void> {
    this.disk.write(offset, data);
    this.ops.writes++;
    this.ops.bytesWritten += data.length;
    this.unflushedWrites++;
  }
  async writeZeroes(offset: number, length: number): Promise<void> {
    this.disk.zero(offset, length);
    this.ops.zeroes++;
    this.ops.bytesZeroed += length;
    this.unflushedWrites++;
  }
  async trim(offset: number, length: number): Promise<void> {
    this.disk.zero(offset, length);
  }
  async flush(): Promise<void> {
    this.ops.flushes++;
    this.unflushedWrites = 0;
  }
  async close(): Promise<void> {}
}
