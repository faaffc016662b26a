// Several NBD connections to one export behind one endpoint (nbdcopy's multi-conn): requests go
// round-robin; flush flushes every connection, because a server without multi-conn only promises
// durability for writes made on the connection that flushed.
import { type BlockSource, type BlockTarget, type BufferedArea, type Extent, type TargetCapabilities } from "./types";

export class PooledSource implements BlockSource {
  private next = 0;
  readonly extents?: (offset: number, length: number) => Promise<Extent[]>;
  constructor(private readonly members: BlockSource[]) {
    if (members.length === 0) throw new RangeError("PooledSource needs at least one member");
    const first = members[0]!;
    if (first.extents) this.extents = (o, n) => first.extents!(o, n);
  }
  get size(): number {
    return this.members[0]!.size;
  }
  get label(): string {
    return this.members[0]!.label;
  }
  get heldBytes(): number {
    return heldByAll(this.members);
  }
  read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    const m = this.members[this.next++ % this.members.length]!;
    return m.read(offset, length, into);
  }
  /** A batch goes to one member whole: its requests leave in one socket write. */
  async readMany(areas: readonly BufferedArea[], into: Buffer): Promise<void> {
    const m = this.members[this.next++ % this.members.length]!;
    if (m.readMany) return m.readMany(areas, into);
    await Promise.all(areas.map((a) => m.read(a.offset, a.length, into.subarray(a.at, a.at + a.length))));
  }
  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}

export class PooledTarget implements BlockTarget {
  private next = 0;
  constructor(private readonly members: BlockTarget[]) {
    if (members.length === 0) throw new RangeError("PooledTarget needs at least one member");
  }
  get size(): number {
    return this.members[0]!.size;
  }
  get label(): string {
    return this.members[0]!.label;
  }
  get heldBytes(): number {
    return heldByAll(this.members);
  }
  get capabilities(): TargetCapabilities {
    return this.members[0]!.capabilities;
  }
  get allocationUnit(): number {
    return this.members[0]!.allocationUnit ?? 4096;
  }
  private pick(): BlockTarget {
    return this.members[this.next++ % this.members.length]!;
  }
  write(offset: number, data: Buffer): Promise<void> {
    return this.pick().write(offset, data);
  }
  async writeMany(areas: readonly BufferedArea[], from: Buffer): Promise<void> {
    const m = this.pick();
    if (m.writeMany) return m.writeMany(areas, from);
    await Promise.all(areas.map((a) => m.write(a.offset, from.subarray(a.at, a.at + a.length))));
  }
  writeZeroes(offset: number, length: number): Promise<void> {
    return this.pick().writeZeroes(offset, length);
  }
  async flush(): Promise<void> {
    await Promise.all(this.members.map((m) => m.flush()));
  }
  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}

function heldByAll(members: readonly (BlockSource | BlockTarget)[]): number {
  return members.reduce((sum, m) => sum + (m.heldBytes ?? 0), 0);
}
