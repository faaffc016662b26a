// Changed block tracking for one disk, as an ESXi host keeps it in the "-ctk.vmdk" file: an epoch
// (changes on reset), a sequence that advances at each snapshot, and per grain the sequence after
// which it was last written. A grain written after changeId "<epoch>/n" was issued has gen > n.
import { readFile } from "node:fs/promises";
import { writeFileAtomicAsync } from "../../kit/atomic-file";
import { formatChangeId, newEpoch } from "./change-id";
import { grainCount } from "./grain-map";

export interface CbtMeta {
  /** Tracking epoch; null while tracking is not active. */
  epoch: string | null;
  seq: number;
}

export class CbtTracker {
  private constructor(
    private readonly path: string,
    private meta: CbtMeta,
    private gen: Uint32Array,
  ) {}

  /** A grown disk: the new grains have never been written. */
  async grow(capacityBytes: number): Promise<void> {
    const gen = new Uint32Array(grainCount(capacityBytes));
    gen.set(this.gen.subarray(0, gen.length));
    this.gen = gen;
    await this.save();
  }

  static async create(path: string, capacityBytes: number): Promise<CbtTracker> {
    const t = new CbtTracker(path, { epoch: null, seq: 0 }, new Uint32Array(grainCount(capacityBytes)));
    await t.save();
    return t;
  }

  static async load(path: string, meta: CbtMeta, capacityBytes: number): Promise<CbtTracker> {
    const gen = new Uint32Array(grainCount(capacityBytes));
    const raw = await readFile(path);
    new Uint8Array(gen.buffer).set(raw.subarray(0, gen.byteLength));
    return new CbtTracker(path, { ...meta }, gen);
  }

  get state(): CbtMeta {
    return { ...this.meta };
  }

  get active(): boolean {
    return this.meta.epoch !== null;
  }

  get epoch(): string | null {
    return this.meta.epoch;
  }

  get seq(): number {
    return this.meta.seq;
  }

  /** The changeId the disk reports now, null while tracking is off. */
  changeId(): string | null {
    return this.meta.epoch === null ? null : formatChangeId(this.meta.epoch, this.meta.seq);
  }

  /** A new epoch: every earlier changeId becomes worthless (activation after a stun, or a reset). */
  async startEpoch(): Promise<void> {
    this.meta = { epoch: newEpoch(), seq: 1 };
    this.gen.fill(0);
    await this.save();
  }

  async stop(): Promise<void> {
    this.meta = { epoch: null, seq: 0 };
    this.gen.fill(0);
    await this.save();
  }

  /** Issues the next changeId (at a snapshot): earlier writes are <= it, later ones above. */
  advance(): string | null {
    if (this.meta.epoch === null) return null;
    this.meta.seq += 1;
    return this.changeId();
  }

  async markWritten(firstGrain: number, lastGrain: number): Promise<void> {
    if (this.meta.epoch === null) return;
    for (let g = firstGrain; g <= lastGrain && g < this.gen.length; g++) this.gen[g] = this.meta.seq + 1;
    await this.save();
  }

  /** Was this grain written after changeId seq `since` was issued? */
  changedSince(grain: number, since: number): boolean {
    return (this.gen[grain] ?? 0) > since;
  }

  async save(): Promise<void> {
    await writeFileAtomicAsync(this.path, new Uint8Array(this.gen.buffer, this.gen.byteOffset, this.gen.byteLength));
  }
}
