// The two interfaces the copy engine sees. The engine never knows whether it reads VMware over
// VDDK or HTTP, or writes a qcow2 file or a Ceph image: endpoints hide that behind these.

import { type Area, type BufferedArea } from "../../kit/areas";

export { type Area, type BufferedArea };

/** Allocation state of a source range (from NBD BLOCK_STATUS base:allocation). */
export interface Extent extends Area {
  /** Reads as zeros: the engine writes WRITE_ZEROES (or skips on a zeroed target) without reading. */
  zero: boolean;
}

export interface BlockSource {
  /** Virtual disk size in bytes. */
  readonly size: number;
  /** Human description for error messages, e.g. "nbdkit curl https://esx/folder/...". */
  readonly label: string;
  /** Memory the endpoint keeps while open (its connections' socket read buffers): copy budgets count it. */
  readonly heldBytes?: number;
  /** Read exactly `length` bytes; into `into` when given (reused buffers bound memory). */
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /** Read many ranges into `into`, each at its `at` (one batch: no per-range round trip). Optional. */
  readMany?(areas: readonly BufferedArea[], into: Buffer): Promise<void>;
  /** Allocation extents covering exactly the range; absent when the source cannot tell. */
  extents?(offset: number, length: number): Promise<Extent[]>;
  close(): Promise<void>;
}

export interface TargetCapabilities {
  /** WRITE_ZEROES is native (cheap, may punch holes); otherwise writeZeroes writes zero buffers. */
  zeroes: boolean;
  /** Fast zero: zeroing either is cheap or fails at once (never writes zeros slowly). */
  fastZero: boolean;
  trim: boolean;
  fua: boolean;
}

export interface BlockTarget {
  readonly size: number;
  readonly label: string;
  readonly capabilities: TargetCapabilities;
  /** Memory the endpoint keeps while open (its connections' socket read buffers): copy budgets count it. */
  readonly heldBytes?: number;
  /**
   * Bytes the target allocates at once: zeros between two data extents inside units that hold data
   * anyway take no extra space, and are read and written with the data. Default 4096 (a block), also
   * for qcow2: its 64 KiB clusters would be allocated anyway, but zeros written as data cost disk writes
   * that qemu's zero-filling of a fresh cluster does not (measured slower, README's Performance).
   */
  readonly allocationUnit?: number;
  write(offset: number, data: Buffer): Promise<void>;
  /** Write many ranges from `from`, each from its `at` (one batch). Optional. */
  writeMany?(areas: readonly BufferedArea[], from: Buffer): Promise<void>;
  /** Make the range read as zeros, deallocating where the target can. */
  writeZeroes(offset: number, length: number): Promise<void>;
  trim?(offset: number, length: number): Promise<void>;
  /** Make everything written so far durable. Callers advance changeIds only after this resolved. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
