// NbdClient: one NBD connection (UNIX socket or TCP) with many requests in flight. Requests larger
// than the server's maximum block size are split transparently; connection loss rejects every
// outstanding request at once. Errors are NbdError subclasses; convert them with nbdToV2kError.
import { connect as netConnect, type Socket } from "node:net";
import { type BufferedArea } from "../../kit/areas";
import { NbdDisconnectedError, NbdProtocolError } from "./errors";
import { ByteReader } from "./byte-reader";
import { HeaderPool } from "./header-pool";
import { negotiate, type ExportInfo } from "./handshake";
import { Cmd, CmdFlag, cmdNames } from "./protocol";
import { pendingRequest, ReplyParser, type NbdExtent, type PendingRequest, type ReplyCounters } from "./reply-parser";

export interface NbdConnectOptions {
  /** UNIX socket path (nbd+unix). */
  socket?: string;
  /** TCP host and port (nbd://). */
  host?: string;
  port?: number;
  exportName?: string;
  /** Negotiate base:allocation for BLOCK_STATUS. Default true. */
  wantExtents?: boolean;
  /** Connect + handshake deadline. Default 15 s. */
  timeoutMs?: number;
}

/** Largest WRITE_ZEROES/TRIM/BLOCK_STATUS length we send in one request (the field is 32-bit). */
const MAX_EFFECT_LENGTH = 1024 * 1024 * 1024;
/** Socket read buffer, reused for every read (kept while the connection is open). */
export const NBD_READ_BUFFER_BYTES = 1024 * 1024;
/**
 * READ payloads with at least this much left are read by the socket straight into their destination:
 * a memcpy per byte read was the copy's largest CPU cost. Smaller ones go through the shared buffer,
 * where one read syscall collects many small replies.
 */
const DIRECT_READ_MIN = 64 * 1024;

/**
 * Where the socket's bytes go: to the handshake reader first, then to the reply parser, which may have
 * the next read land in a READ payload's destination.
 */
interface ReadRoute {
  sink: (chunk: Buffer) => void;
  /** The buffer the next read should fill directly, or undefined for the shared one. */
  direct: () => Buffer | undefined;
  /** `n` bytes were read into the buffer `direct` gave. */
  landed: (n: number) => void;
}

export class NbdClient {
  private readonly pending = new Map<number, PendingRequest>();
  private readonly headers = new HeaderPool();
  private nextCookie = 1;
  private corked = false;
  private failure: Error | undefined;
  private readonly parser: ReplyParser;
  private closed: Promise<void>;

  private constructor(
    private readonly sock: Socket,
    readonly info: ExportInfo,
    rest: Buffer,
    route: ReadRoute,
  ) {
    this.parser = new ReplyParser(
      (c) => this.pending.get(c),
      (r) => this.settle(r),
      () => this.info.allocationContextId,
    );
    this.closed = new Promise((resolve) => sock.once("close", () => resolve()));
    const guard = (parse: () => void) => {
      try {
        parse();
      } catch (e) {
        this.fail(e instanceof Error ? e : new NbdProtocolError(String(e)));
      }
    };
    route.sink = (chunk: Buffer) => guard(() => this.parser.feed(chunk));
    route.landed = (n: number) => guard(() => this.parser.landed(n));
    route.direct = () => (this.failure ? undefined : this.parser.directTarget(DIRECT_READ_MIN));
    sock.on("error", (e) => this.fail(new NbdDisconnectedError(`connection error: ${e.message}`)));
    sock.on("close", () => this.fail(new NbdDisconnectedError("the server closed the connection")));
    if (rest.length > 0) this.parser.feed(rest);
  }

  static async connect(options: NbdConnectOptions): Promise<NbdClient> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    // The socket reads into one reused buffer (no allocation per read: GC pauses stalled the copy) or,
    // for a large READ payload, straight into its destination. Node asks `buffer` for the next read's
    // buffer after every callback, when the parser already knows what the next bytes are.
    const route: ReadRoute = { sink: () => {}, direct: () => undefined, landed: () => {} };
    const shared = Buffer.allocUnsafe(NBD_READ_BUFFER_BYTES);
    const onread = {
      buffer: () => route.direct() ?? shared,
      callback: (n: number, buf: Uint8Array) => {
        if (buf === shared) route.sink(Buffer.from(shared.buffer, shared.byteOffset, n));
        else route.landed(n);
        return true;
      },
    };
    const sock =
      options.socket !== undefined
        ? netConnect({ path: options.socket, onread })
        : netConnect({ host: options.host ?? "localhost", port: options.port ?? 10809, onread });
    const reader = new ByteReader(sock);
    route.sink = (chunk) => reader.push(chunk);
    const timer = setTimeout(() => sock.destroy(new Error(`no NBD handshake within ${timeoutMs} ms`)), timeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        sock.once("connect", resolve);
        sock.once("error", (e) =>
          reject(
            new NbdDisconnectedError(`cannot connect to ${options.socket ?? `${options.host}:${options.port}`}: ${e.message}`, {
              connectFailed: true,
            }),
          ),
        );
      });
      if (options.socket === undefined) sock.setNoDelay(true);
      const info = await negotiate(sock, reader, { exportName: options.exportName ?? "", wantExtents: options.wantExtents ?? true });
      // Detach and switch the route in one synchronous step, so no byte can fall between them.
      return new NbdClient(sock, info, reader.detach(), route);
    } catch (e) {
      sock.destroy();
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  get size(): number {
    return this.info.size;
  }

  /** Requests sent so far (after splitting), for diagnostics. */
  requestsSent = 0;

  /** Reply kinds received so far, for diagnostics. */
  get counters(): Readonly<ReplyCounters> {
    return this.parser.counters;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Largest READ/WRITE payload per request. */
  get maxBlock(): number {
    return this.info.blockSize.maximum;
  }

  /** Read `length` bytes at `offset` into `into` (allocated when omitted); returns the filled buffer. */
  async read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    this.checkRange(offset, length);
    const dest = into ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    if (dest.length < length) throw new RangeError(`read buffer of ${into?.length} bytes is smaller than ${length}`);
    await this.split(offset, length, this.maxBlock, (o, n) =>
      this.request(Cmd.READ, 0, o, n, undefined, dest.subarray(o - offset, o - offset + n)),
    );
    return dest;
  }

  async write(offset: number, data: Buffer, options: { fua?: boolean } = {}): Promise<void> {
    this.checkRange(offset, data.length);
    this.checkWritable();
    const flags = options.fua && this.info.canFua ? CmdFlag.FUA : 0;
    await this.split(offset, data.length, this.maxBlock, (o, n) =>
      this.request(Cmd.WRITE, flags, o, n, data.subarray(o - offset, o - offset + n)),
    );
  }

  /**
   * Read many ranges at once into `into` (each at its `at`): the requests leave in one socket write
   * and share one completion, so a fragmented disk costs no promise or syscall per small extent.
   */
  readMany(ranges: readonly BufferedArea[], into: Buffer): Promise<void> {
    for (const r of ranges) this.checkBuffered(r, into);
    return this.batch(ranges, (r, done, fail) => {
      const dest = into.subarray(r.at, r.at + r.length);
      if (r.length <= this.maxBlock) this.enqueue(Cmd.READ, 0, r.offset, r.length, undefined, dest, done, fail);
      else this.read(r.offset, r.length, dest).then(done, fail);
    });
  }

  /** Write many ranges at once from `from` (each from its `at`), like readMany. */
  writeMany(ranges: readonly BufferedArea[], from: Buffer): Promise<void> {
    this.checkWritable();
    for (const r of ranges) this.checkBuffered(r, from);
    return this.batch(ranges, (r, done, fail) => {
      const data = from.subarray(r.at, r.at + r.length);
      if (r.length <= this.maxBlock) this.enqueue(Cmd.WRITE, 0, r.offset, r.length, data, undefined, done, fail);
      else this.write(r.offset, data).then(done, fail);
    });
  }

  /**
   * Make a range read as zeros. Holes may be punched (NO_HOLE is never sent). `fastZero` asks the
   * server to fail with ENOTSUP instead of writing zeros slowly; it is dropped when not advertised.
   */
  async writeZeroes(offset: number, length: number, options: { fastZero?: boolean; fua?: boolean } = {}): Promise<void> {
    this.checkRange(offset, length);
    this.checkWritable();
    if (!this.info.canWriteZeroes) throw new NbdProtocolError("the server does not support WRITE_ZEROES");
    const flags = (options.fastZero && this.info.canFastZero ? CmdFlag.FAST_ZERO : 0) | (options.fua && this.info.canFua ? CmdFlag.FUA : 0);
    await this.split(offset, length, this.effectLimit(), (o, n) => this.request(Cmd.WRITE_ZEROES, flags, o, n));
  }

  async trim(offset: number, length: number): Promise<void> {
    this.checkRange(offset, length);
    this.checkWritable();
    if (!this.info.canTrim) throw new NbdProtocolError("the server does not support TRIM");
    await this.split(offset, length, this.effectLimit(), (o, n) => this.request(Cmd.TRIM, 0, o, n));
  }

  async flush(): Promise<void> {
    if (!this.info.canFlush) return; // nothing to flush: the server writes through
    await this.request(Cmd.FLUSH, 0, 0, 0);
  }

  /** One BLOCK_STATUS request; the answer may cover less than asked (never more: it is clamped). */
  async blockStatus(offset: number, length: number): Promise<NbdExtent[]> {
    this.checkRange(offset, length);
    if (this.info.allocationContextId === undefined) throw new NbdProtocolError("the server did not agree to base:allocation");
    const n = Math.min(length, this.effectLimit());
    const req = await this.request(Cmd.BLOCK_STATUS, 0, offset, n);
    const out: NbdExtent[] = [];
    for (const e of req.extents ?? []) {
      const end = Math.min(e.offset + e.length, offset + n);
      if (end > e.offset) out.push({ ...e, length: end - e.offset });
    }
    if (out.length === 0) throw new NbdProtocolError(`BLOCK_STATUS at ${offset} returned no extents`);
    return out;
  }

  /** Allocation extents covering exactly [offset, offset+length), adjacent equal states merged. */
  async extents(offset: number, length: number): Promise<NbdExtent[]> {
    const out: NbdExtent[] = [];
    let at = offset;
    const end = offset + length;
    while (at < end) {
      for (const e of await this.blockStatus(at, end - at)) {
        const last = out.at(-1);
        if (last && last.hole === e.hole && last.zero === e.zero && last.offset + last.length === e.offset) last.length += e.length;
        else out.push({ ...e });
        at = e.offset + e.length;
      }
    }
    return out;
  }

  /** Graceful end: DISC after outstanding requests were sent, then wait for the socket to close. */
  async close(): Promise<void> {
    if (!this.failure && !this.sock.destroyed) {
      const head = Buffer.from(this.headers.take(Cmd.DISC, 0, 0, 0, 0));
      this.sock.end(head);
      this.failure = new NbdDisconnectedError("the client was closed");
      const timer = setTimeout(() => this.sock.destroy(), 5000);
      await this.closed;
      clearTimeout(timer);
    }
    this.destroy();
  }

  /** Immediate end: outstanding requests fail with NbdDisconnectedError. */
  destroy(): void {
    this.fail(new NbdDisconnectedError("the client was closed"));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    if (!this.sock.destroyed) this.sock.destroy();
    const reqs = [...this.pending.values()];
    this.pending.clear();
    for (const r of reqs) r.reject(this.failure);
  }

  private settle(req: PendingRequest): void {
    this.pending.delete(req.cookie);
    if (req.header) this.headers.give(req.header);
    if (req.error) req.reject(req.error);
    else if (req.cmd === Cmd.READ && req.covered !== req.length) {
      this.fail(new NbdProtocolError(`READ at ${req.offset} answered ${req.covered} of ${req.length} bytes`));
    } else req.resolve();
  }

  private request(cmd: number, flags: number, offset: number, length: number, payload?: Buffer, dest?: Buffer): Promise<PendingRequest> {
    return new Promise<PendingRequest>((resolve, reject) => {
      const req = this.enqueue(cmd, flags, offset, length, payload, dest, () => resolve(req), reject);
    });
  }

  /**
   * Send one request; `done` or `fail` is called once when it is answered, or when the connection fails
   * (at once if it has failed already: the one place that checks).
   */
  private enqueue(
    cmd: number,
    flags: number,
    offset: number,
    length: number,
    payload: Buffer | undefined,
    dest: Buffer | undefined,
    done: () => void,
    fail: (e: Error) => void,
  ): PendingRequest {
    const cookie = this.nextCookie;
    const req = pendingRequest(cookie, cmd, offset, length, dest, done, fail);
    if (this.failure) {
      fail(this.failure);
      return req;
    }
    this.requestsSent++;
    this.nextCookie = this.nextCookie >= 0xffffffff ? 1 : this.nextCookie + 1;
    const head = this.headers.take(cmd, flags, cookie, offset, length);
    req.header = head;
    this.pending.set(cookie, req);
    this.corkUntilTick();
    this.sock.write(head);
    if (payload) this.sock.write(payload);
    return req;
  }

  /**
   * Requests sent in one turn of the event loop (several workers, a batch) leave in one writev: the
   * socket is corked at the first and uncorked once the current microtasks have run.
   */
  private corkUntilTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.sock.cork();
    process.nextTick(() => {
      this.corked = false;
      this.sock.uncork();
    });
  }

  /** Run `send` for every range; resolves when all were answered, rejects with the first failure. */
  private batch(
    ranges: readonly BufferedArea[],
    send: (r: BufferedArea, done: () => void, fail: (e: Error) => void) => void,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let remaining = ranges.length;
      let failed = false;
      const done = () => {
        if (--remaining === 0 && !failed) resolve();
      };
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      if (remaining === 0) resolve();
      for (const r of ranges) send(r, done, fail);
    });
  }

  private async split(offset: number, length: number, limit: number, one: (o: number, n: number) => Promise<unknown>): Promise<void> {
    if (length <= limit) {
      if (length > 0) await one(offset, length);
      return;
    }
    const parts: Promise<unknown>[] = [];
    for (let o = offset; o < offset + length; o += limit) parts.push(one(o, Math.min(limit, offset + length - o)));
    await Promise.all(parts);
  }

  private effectLimit(): number {
    const align = Math.max(this.info.blockSize.minimum, this.info.blockSize.preferred, 1);
    return MAX_EFFECT_LENGTH - (MAX_EFFECT_LENGTH % align);
  }

  private checkRange(offset: number, length: number): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.info.size) {
      throw new RangeError(`request ${offset}+${length} outside the export of ${this.info.size} bytes`);
    }
  }

  private checkBuffered(r: BufferedArea, buf: Buffer): void {
    this.checkRange(r.offset, r.length);
    if (!Number.isSafeInteger(r.at) || r.at < 0 || r.at + r.length > buf.length) {
      throw new RangeError(`buffer position ${r.at}+${r.length} outside a buffer of ${buf.length} bytes`);
    }
  }

  private checkWritable(): void {
    if (this.info.readOnly) throw new NbdProtocolError("the export is read-only");
  }

  /** For diagnostics: the command name of a request type. */
  static commandName(cmd: number): string {
    return cmdNames[cmd] ?? String(cmd);
  }
}
