// BlockSource/BlockTarget over our NBD client. This is the boundary where NBD errors become
// V2kError (NBD_SOURCE_FAILED / NBD_TARGET_FAILED / TARGET_FULL) with disk, offset and endpoint.
import { NBD_READ_BUFFER_BYTES, NbdClient, NbdServerError, nbdToV2kError, type NbdConnectOptions } from "../nbd/index";
import { ENOTSUP } from "../nbd/protocol";
import { V2kError } from "../../shared/v2k-error";
import { type BlockSource, type BlockTarget, type BufferedArea, type Extent, type TargetCapabilities } from "./types";

export interface NbdEndpointOptions {
  /** Disk label for messages, e.g. "disk 2000". */
  disk?: string;
  /** Endpoint description for messages, e.g. "qemu-nbd qcow2 /dst/vm-disk0.qcow2". */
  label?: string;
  /** The serving process's stderr tail, attached to error details. */
  serverLog?: () => string;
  /** Refine a converted error from what the server logged (e.g. HTTP 401 -> SESSION_EXPIRED). */
  explain?: (e: V2kError) => V2kError;
  /** Targets: bytes the image allocates at once (qcow2 cluster), see BlockTarget.allocationUnit. */
  allocationUnit?: number;
}

export class NbdSource implements BlockSource {
  readonly label: string;
  private readonly disk: string | undefined;
  private readonly serverLog: (() => string) | undefined;
  private readonly explain: ((e: V2kError) => V2kError) | undefined;
  extents?: (offset: number, length: number) => Promise<Extent[]>;

  constructor(
    readonly client: NbdClient,
    options: NbdEndpointOptions = {},
  ) {
    this.label = options.label ?? `NBD export '${client.info.exportName}'`;
    this.disk = options.disk;
    this.serverLog = options.serverLog;
    this.explain = options.explain;
    if (client.info.allocationContextId !== undefined) {
      this.extents = async (offset, length) => {
        try {
          return (await client.extents(offset, length)).map((e) => ({ offset: e.offset, length: e.length, zero: e.zero }));
        } catch (e) {
          throw await this.convert(e, offset);
        }
      };
    }
  }

  static async connect(connect: NbdConnectOptions, options: NbdEndpointOptions = {}): Promise<NbdSource> {
    try {
      return new NbdSource(await NbdClient.connect(connect), options);
    } catch (e) {
      throw nbdToV2kError(e, { role: "source", ...pick(options) });
    }
  }

  get size(): number {
    return this.client.size;
  }

  /** One connection: its socket read buffer. */
  readonly heldBytes = NBD_READ_BUFFER_BYTES;

  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    try {
      return await this.client.read(offset, length, into);
    } catch (e) {
      throw await this.convert(e, offset);
    }
  }

  async readMany(areas: readonly BufferedArea[], into: Buffer): Promise<void> {
    try {
      await this.client.readMany(areas, into);
    } catch (e) {
      throw await this.convert(e, failedOffset(e, areas));
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async convert(e: unknown, offset: number): Promise<V2kError> {
    // The server logs the cause just before it answers: give its stderr a moment to arrive.
    if (this.serverLog && !(e instanceof V2kError)) await new Promise((r) => setTimeout(r, 50));
    const v = nbdToV2kError(e, {
      role: "source",
      offset,
      endpoint: this.label,
      ...(this.disk !== undefined ? { disk: this.disk } : {}),
      ...(this.serverLog ? { serverLog: this.serverLog() } : {}),
    });
    return this.explain ? this.explain(v) : v;
  }
}

export class NbdTarget implements BlockTarget {
  readonly label: string;
  readonly capabilities: TargetCapabilities;
  readonly allocationUnit: number;
  private readonly disk: string | undefined;
  private readonly serverLog: (() => string) | undefined;
  private fastZeroWorks: boolean;
  private zeroBuffer: Buffer | undefined;

  constructor(
    readonly client: NbdClient,
    options: NbdEndpointOptions = {},
  ) {
    this.label = options.label ?? `NBD export '${client.info.exportName}'`;
    this.disk = options.disk;
    this.serverLog = options.serverLog;
    const i = client.info;
    this.capabilities = { zeroes: i.canWriteZeroes, fastZero: i.canFastZero, trim: i.canTrim, fua: i.canFua };
    this.fastZeroWorks = i.canFastZero;
    this.allocationUnit = options.allocationUnit ?? 4096;
    if (!i.canTrim) delete this.trim;
  }

  static async connect(connect: NbdConnectOptions, options: NbdEndpointOptions = {}): Promise<NbdTarget> {
    let client: NbdClient;
    try {
      client = await NbdClient.connect(connect);
    } catch (e) {
      throw nbdToV2kError(e, { role: "target", ...pick(options) });
    }
    if (client.info.readOnly) {
      client.destroy();
      throw nbdToV2kError(new Error("the export is read-only"), { role: "target", ...pick(options) });
    }
    return new NbdTarget(client, options);
  }

  get size(): number {
    return this.client.size;
  }

  /** One connection: its socket read buffer. */
  readonly heldBytes = NBD_READ_BUFFER_BYTES;

  async write(offset: number, data: Buffer): Promise<void> {
    try {
      await this.client.write(offset, data);
    } catch (e) {
      throw this.convert(e, offset);
    }
  }

  async writeMany(areas: readonly BufferedArea[], from: Buffer): Promise<void> {
    try {
      await this.client.writeMany(areas, from);
    } catch (e) {
      throw this.convert(e, failedOffset(e, areas));
    }
  }

  async writeZeroes(offset: number, length: number): Promise<void> {
    try {
      if (!this.client.info.canWriteZeroes) return await this.writeZeroBuffers(offset, length);
      if (this.fastZeroWorks) {
        try {
          return await this.client.writeZeroes(offset, length, { fastZero: true });
        } catch (e) {
          // ENOTSUP on a fast zero means "would be slow", not failure: zero the ordinary way from now on.
          if (!(e instanceof NbdServerError && e.errno === ENOTSUP)) throw e;
          this.fastZeroWorks = false;
        }
      }
      await this.client.writeZeroes(offset, length);
    } catch (e) {
      throw this.convert(e, offset);
    }
  }

  trim?: (offset: number, length: number) => Promise<void> = async (offset, length) => {
    try {
      await this.client.trim(offset, length);
    } catch (e) {
      throw this.convert(e, offset);
    }
  };

  async flush(): Promise<void> {
    try {
      await this.client.flush();
    } catch (e) {
      throw this.convert(e, 0);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async writeZeroBuffers(offset: number, length: number): Promise<void> {
    const step = Math.min(this.client.maxBlock, 4 * 1024 * 1024);
    this.zeroBuffer ??= Buffer.alloc(step);
    for (let o = offset; o < offset + length; o += step) {
      await this.client.write(o, this.zeroBuffer.subarray(0, Math.min(step, offset + length - o)));
    }
  }

  private convert(e: unknown, offset: number) {
    return nbdToV2kError(e, {
      role: "target",
      offset,
      endpoint: this.label,
      ...(this.disk !== undefined ? { disk: this.disk } : {}),
      ...(this.serverLog ? { serverLog: this.serverLog() } : {}),
    });
  }
}

/** The offset a batch failed at: the server's reply names it, else the batch's first range. */
function failedOffset(e: unknown, areas: readonly BufferedArea[]): number {
  return e instanceof NbdServerError ? e.offset : (areas[0]?.offset ?? 0);
}

function pick(o: NbdEndpointOptions): { disk?: string; endpoint?: string } {
  return { ...(o.disk !== undefined ? { disk: o.disk } : {}), ...(o.label !== undefined ? { endpoint: o.label } : {}) };
}
