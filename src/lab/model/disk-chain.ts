// One virtual disk as a VMFS-like chain of files: the base "-flat.vmdk" and one "-00000N-delta.vmdk" per
// snapshot level. Every file is a sparse file of the disk's capacity holding data at the guest offset,
// with a grain allocation map beside it ("<file>.map"). Guest writes go to the newest file (copy-on-
// write of partial grains); reads walk the chain from the newest file down; consolidation merges a
// delta into its parent. All I/O is positioned and bounded: no whole-disk buffers.
import { open, unlink, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomicAsync } from "../../kit/atomic-file";
import { GRAIN, GrainMap, grainCount } from "./grain-map";

export interface ChainFileMeta {
  /** Data file, relative to the datastore root: "web01/web01-flat.vmdk", "web01/web01-000001-delta.vmdk". */
  path: string;
  /** Descriptor name as vSphere shows it, relative to the datastore root: "web01/web01-000001.vmdk". */
  descriptor: string;
  /** 0 for the base, N for "-00000N". */
  number: number;
  /** Snapshot whose creation started this delta; null for the base and for orphaned deltas. */
  snapshot: string | null;
}

interface ChainFile {
  meta: ChainFileMeta;
  map: GrainMap;
}

const IO_CHUNK = 4 * 1024 * 1024;
const zeroChunk = Buffer.alloc(IO_CHUNK);

function mapPath(abs: string): string {
  return abs.replace(/\.vmdk$/, "") + ".map";
}

export class DiskChain {
  private constructor(
    private readonly dsRoot: string,
    private capacity: number,
    private readonly files: ChainFile[],
  ) {}

  get capacityBytes(): number {
    return this.capacity;
  }

  /** Bytes allocated in one file of the chain (what a datastore browser reports as its size). */
  allocatedBytes(index: number): number {
    const f = this.files[index];
    if (!f) return 0;
    let n = 0;
    for (let g = 0; g < grainCount(this.capacity); g++) if (f.map.has(g)) n++;
    return Math.min(n * GRAIN, this.capacity);
  }

  /** Extends a disk without snapshots (a grown disk reads zeros in the new area). */
  async grow(newCapacity: number): Promise<void> {
    if (this.files.length !== 1) throw new Error("cannot grow a disk with deltas");
    const base = this.files[0]!;
    const fh = await open(this.abs(base.meta), "r+");
    try {
      await fh.truncate(newCapacity);
      await fh.sync();
    } finally {
      await fh.close();
    }
    const bits = new Uint8Array(Math.ceil(grainCount(newCapacity) / 8));
    bits.set(base.map.bits.subarray(0, bits.length));
    base.map = new GrainMap(bits);
    this.capacity = newCapacity;
    await this.saveMap(base);
  }

  /** A new empty thin disk: a sparse base file of the full capacity. */
  static async create(dsRoot: string, base: ChainFileMeta, capacityBytes: number): Promise<DiskChain> {
    const chain = new DiskChain(dsRoot, capacityBytes, []);
    await chain.createFile(base);
    return chain;
  }

  static async load(dsRoot: string, metas: ChainFileMeta[], capacityBytes: number): Promise<DiskChain> {
    const files: ChainFile[] = [];
    const bytes = Math.ceil(grainCount(capacityBytes) / 8);
    for (const meta of metas) {
      const raw = await readFile(mapPath(join(dsRoot, meta.path)));
      const bits = new Uint8Array(bytes);
      bits.set(raw.subarray(0, bytes));
      files.push({ meta, map: new GrainMap(bits) });
    }
    return new DiskChain(dsRoot, capacityBytes, files);
  }

  get metas(): ChainFileMeta[] {
    return this.files.map((f) => f.meta);
  }

  get length(): number {
    return this.files.length;
  }

  abs(meta: ChainFileMeta): string {
    return join(this.dsRoot, meta.path);
  }

  /** Is this grain allocated in any of the first `depth` files? */
  allocated(grain: number, depth = this.files.length): boolean {
    for (let i = Math.min(depth, this.files.length) - 1; i >= 0; i--) if (this.files[i]!.map.has(grain)) return true;
    return false;
  }

  /** Content of [start, end) as seen through the first `depth` files of the chain (all: current content). */
  async read(start: number, end: number, depth = this.files.length): Promise<Buffer> {
    end = Math.min(end, this.capacityBytes);
    const out = Buffer.alloc(Math.max(0, end - start));
    if (end <= start) return out;
    const top = Math.min(depth, this.files.length);
    const source = (g: number): number => {
      for (let i = top - 1; i >= 0; i--) if (this.files[i]!.map.has(g)) return i;
      return -1;
    };
    const firstGrain = Math.floor(start / GRAIN);
    const lastGrain = Math.floor((end - 1) / GRAIN);
    const handles = new Map<number, Awaited<ReturnType<typeof open>>>();
    try {
      let g = firstGrain;
      while (g <= lastGrain) {
        const src = source(g);
        let h = g + 1;
        while (h <= lastGrain && source(h) === src) h++;
        if (src >= 0) {
          let fh = handles.get(src);
          if (!fh) {
            fh = await open(this.abs(this.files[src]!.meta), "r");
            handles.set(src, fh);
          }
          const from = Math.max(g * GRAIN, start);
          const to = Math.min(h * GRAIN, end);
          await readFully(fh, out, from - start, to - from, from);
        }
        g = h;
      }
    } finally {
      for (const fh of handles.values()) await fh.close();
    }
    return out;
  }

  /**
   * Writes guest data at `offset` into the newest file. Partial grains are completed from the chain
   * first (copy-on-write), so a delta always holds whole grains. Durable (data fsynced, map saved)
   * when it resolves. Returns the grains written.
   */
  async write(offset: number, data: Buffer): Promise<{ firstGrain: number; lastGrain: number }> {
    if (data.length === 0) throw new Error("empty write");
    const top = this.files[this.files.length - 1]!;
    const alignedStart = Math.floor(offset / GRAIN) * GRAIN;
    const alignedEnd = Math.min(Math.ceil((offset + data.length) / GRAIN) * GRAIN, this.capacityBytes);
    const fh = await open(this.abs(top.meta), "r+");
    try {
      for (let chunkStart = alignedStart; chunkStart < alignedEnd; chunkStart += IO_CHUNK) {
        const chunkEnd = Math.min(chunkStart + IO_CHUNK, alignedEnd);
        const dataFrom = Math.max(chunkStart, offset);
        const dataTo = Math.min(chunkEnd, offset + data.length);
        let buf: Buffer;
        if (dataFrom === chunkStart && dataTo === chunkEnd) {
          buf = data.subarray(dataFrom - offset, dataTo - offset);
        } else {
          buf = await this.read(chunkStart, chunkEnd);
          data.copy(buf, dataFrom - chunkStart, dataFrom - offset, dataTo - offset);
        }
        await writeFully(fh, buf, chunkStart);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    const firstGrain = alignedStart / GRAIN;
    const lastGrain = Math.ceil(alignedEnd / GRAIN) - 1;
    for (let g = firstGrain; g <= lastGrain; g++) top.map.set(g);
    await this.saveMap(top);
    return { firstGrain, lastGrain };
  }

  /** Starts a new (empty) newest file; later writes land there. */
  async addDelta(meta: ChainFileMeta): Promise<void> {
    await this.createFile(meta);
  }

  /**
   * Merges file `index` (>= 1) into its parent and drops it from the chain. Returns the cleanup that
   * deletes the merged file: call it only after the metadata that no longer names it is saved.
   */
  async mergeIntoParent(index: number): Promise<() => Promise<void>> {
    const src = this.files[index];
    const dst = this.files[index - 1];
    if (!src || !dst || index < 1) throw new Error(`no delta at chain index ${index}`);
    const grains = grainCount(this.capacityBytes);
    const sfh = await open(this.abs(src.meta), "r");
    const dfh = await open(this.abs(dst.meta), "r+");
    try {
      const buf = Buffer.alloc(IO_CHUNK);
      let g = 0;
      while (g < grains) {
        if (!src.map.has(g)) {
          g++;
          continue;
        }
        let h = g + 1;
        while (h < grains && src.map.has(h) && (h - g) * GRAIN < IO_CHUNK) h++;
        const from = g * GRAIN;
        const len = Math.min(h * GRAIN, this.capacityBytes) - from;
        await readFully(sfh, buf, 0, len, from);
        await writeFully(dfh, buf.subarray(0, len), from);
        for (let k = g; k < h; k++) dst.map.set(k);
        g = h;
      }
      await dfh.sync();
    } finally {
      await sfh.close();
      await dfh.close();
    }
    await this.saveMap(dst);
    this.files.splice(index, 1);
    const abs = this.abs(src.meta);
    return async () => {
      await unlink(abs).catch(() => undefined);
      await unlink(mapPath(abs)).catch(() => undefined);
    };
  }

  /**
   * Drops the files from chain index `index` (>= 1) upward: their content is discarded (a revert).
   * Returns the cleanups that delete them: call them only after metadata that no longer names them is saved.
   */
  async dropFrom(index: number): Promise<(() => Promise<void>)[]> {
    if (index < 1) throw new Error("cannot drop the base of a disk chain");
    const dropped = this.files.splice(index);
    return dropped.map((f) => {
      const abs = this.abs(f.meta);
      return async () => {
        await unlink(abs).catch(() => undefined);
        await unlink(mapPath(abs)).catch(() => undefined);
      };
    });
  }

  /** Re-labels which snapshot owns a delta (null: orphaned, waiting for consolidation). */
  setOwner(index: number, snapshot: string | null): void {
    const f = this.files[index];
    if (f) f.meta = { ...f.meta, snapshot };
  }

  /** Streams the content seen through the first `depth` files into `sink` in bounded chunks. */
  async forEachChunk(depth: number, sink: (chunk: Buffer) => void): Promise<void> {
    const perChunk = IO_CHUNK / GRAIN;
    for (let start = 0; start < this.capacityBytes; start += IO_CHUNK) {
      const end = Math.min(start + IO_CHUNK, this.capacityBytes);
      const g0 = start / GRAIN;
      let any = false;
      for (let g = g0; g < g0 + perChunk && !any; g++) any = this.allocated(g, depth);
      sink(any ? await this.read(start, end, depth) : zeroChunk.subarray(0, end - start));
    }
  }

  /** Positioned read of one file of the chain (datastore file access). */
  async readFile(meta: ChainFileMeta, start: number, end: number): Promise<Buffer> {
    end = Math.min(end, this.capacityBytes);
    // not zero-filled first: readFully writes every byte (zeros past the end of a sparse file)
    const out = Buffer.allocUnsafeSlow(Math.max(0, end - start));
    if (out.length === 0) return out;
    const fh = await open(this.abs(meta), "r");
    try {
      await readFully(fh, out, 0, out.length, start);
    } finally {
      await fh.close();
    }
    return out;
  }

  private async createFile(meta: ChainFileMeta): Promise<void> {
    const abs = this.abs(meta);
    const fh = await open(abs, "w", 0o600);
    try {
      await fh.truncate(this.capacityBytes); // sparse: no blocks allocated
      await fh.sync();
    } finally {
      await fh.close();
    }
    const file: ChainFile = { meta, map: GrainMap.empty(grainCount(this.capacityBytes)) };
    await this.saveMap(file);
    this.files.push(file);
  }

  private async saveMap(file: ChainFile): Promise<void> {
    await writeFileAtomicAsync(mapPath(this.abs(file.meta)), file.map.bits);
  }
}

async function readFully(fh: Awaited<ReturnType<typeof open>>, buf: Buffer, off: number, len: number, pos: number): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(buf, off + done, len - done, pos + done);
    if (bytesRead === 0) {
      buf.fill(0, off + done, off + len); // past EOF of a sparse file reads as zeros
      return;
    }
    done += bytesRead;
  }
}

async function writeFully(fh: Awaited<ReturnType<typeof open>>, buf: Buffer, pos: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, pos + done);
    done += bytesWritten;
  }
}
