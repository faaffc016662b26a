// Incremental parser of the transmission phase: simple and structured replies arriving in any
// order, matched to outstanding requests by cookie. READ payloads are copied straight from the
// socket chunks into the caller's buffer, or land there directly (directTarget/landed).
import { NbdProtocolError, NbdServerError } from "./errors";
import {
  Chunk,
  CHUNK_FLAG_DONE,
  CHUNK_TYPE_ERROR_BIT,
  Cmd,
  cmdNames,
  SIMPLE_REPLY_MAGIC,
  SIMPLE_REPLY_SIZE,
  STATE_HOLE,
  STATE_ZERO,
  STRUCTURED_HEADER_SIZE,
  STRUCTURED_REPLY_MAGIC,
} from "./protocol";

/** One allocation extent from BLOCK_STATUS (base:allocation). */
export interface NbdExtent {
  offset: number;
  length: number;
  /** Unallocated on the server (reads as zero unless `zero` is false — base:allocation says so). */
  hole: boolean;
  /** Reads as zeros. */
  zero: boolean;
}

export interface PendingRequest {
  cookie: number;
  cmd: number;
  offset: number;
  length: number;
  /** READ: where the data goes (dest[0] is `offset`). */
  dest: Buffer | undefined;
  /** READ: bytes covered by data/hole chunks so far. */
  covered: number;
  extents: NbdExtent[] | undefined;
  error: NbdServerError | undefined;
  /** The request's header, given back to the pool when the request is answered. */
  header: Buffer | undefined;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** A request not yet answered: nothing covered, no extents, no error, no header taken yet. */
export function pendingRequest(
  cookie: number,
  cmd: number,
  offset: number,
  length: number,
  dest: Buffer | undefined,
  resolve: () => void,
  reject: (e: Error) => void,
): PendingRequest {
  return { cookie, cmd, offset, length, dest, covered: 0, extents: undefined, error: undefined, header: undefined, resolve, reject };
}

/** Diagnostics (tests, benchmarks): what the server actually sent. */
export interface ReplyCounters {
  simpleReplies: number;
  dataChunks: number;
  holeChunks: number;
  errorChunks: number;
  /** Requests answered with an error (simple error replies and ERROR chunks). */
  serverErrors: number;
}

/** `buf` when it holds `n` bytes, else a larger replacement (grown in powers of two). */
function ensure(buf: Buffer, n: number): Buffer {
  if (buf.length >= n) return buf;
  let size = buf.length;
  while (size < n) size *= 2;
  return Buffer.allocUnsafeSlow(size);
}

type State =
  | { kind: "header" }
  | { kind: "need"; n: number; then: (b: Buffer) => void }
  | { kind: "copy"; dest: Buffer; pos: number; remaining: number; then: () => void };

export class ReplyParser {
  private state: State = { kind: "header" };
  /**
   * Unparsed tail bytes (a header or payload cut by the socket chunk) live in `carry`; `join` holds
   * them with the chunk's first bytes. Both are reused: a copy per socket chunk was native garbage.
   */
  private leftover = 0;
  private carry: Buffer = Buffer.allocUnsafeSlow(256);
  private join: Buffer = Buffer.allocUnsafeSlow(256);
  readonly counters: ReplyCounters = { simpleReplies: 0, dataChunks: 0, holeChunks: 0, errorChunks: 0, serverErrors: 0 };

  constructor(
    private readonly lookup: (cookie: number) => PendingRequest | undefined,
    private readonly complete: (req: PendingRequest) => void,
    private readonly allocationContextId: () => number | undefined,
  ) {}

  /**
   * Consume bytes from the socket; throws NbdProtocolError on a framing violation (fatal). The
   * chunk may be a reused buffer: nothing keeps a reference to it after feed() returns.
   */
  feed(chunk: Buffer): void {
    let offset = 0;
    if (this.leftover > 0) {
      // Complete the pending header or payload from the front of the chunk without copying the
      // whole chunk: only the few bytes missing are joined to the leftover.
      const had = this.leftover;
      const want = this.state.kind === "need" ? this.state.n : STRUCTURED_HEADER_SIZE;
      const take = Math.min(chunk.length, Math.max(0, want - had));
      this.join = ensure(this.join, had + take);
      this.carry.copy(this.join, 0, 0, had);
      chunk.copy(this.join, had, 0, take);
      const small = this.join.subarray(0, had + take);
      this.leftover = 0;
      const used = this.process(small);
      if (used <= had) {
        // Still incomplete: the chunk was too short.
        this.keep(small.subarray(used));
        return;
      }
      offset = take - (small.length - used);
    }
    const used = this.process(chunk, offset);
    if (used < chunk.length) this.keep(chunk.subarray(used));
  }

  /**
   * Where the socket may read next so that a READ payload lands in its destination without a copy: the
   * rest of the payload being received, when at least `min` bytes of it remain.
   */
  directTarget(min: number): Buffer | undefined {
    const st = this.state;
    if (st.kind !== "copy" || this.leftover > 0 || st.remaining < min) return undefined;
    return st.dest.subarray(st.pos, st.pos + st.remaining);
  }

  /** `n` bytes were read straight into the buffer directTarget returned. */
  landed(n: number): void {
    const st = this.state;
    if (st.kind !== "copy" || n > st.remaining) throw new NbdProtocolError(`${n} bytes landed outside a READ payload`);
    st.pos += n;
    st.remaining -= n;
    if (st.remaining === 0) {
      this.state = { kind: "header" };
      st.then();
    }
  }

  /** Hold the unparsed tail in the reused carry buffer (never the caller's buffer). */
  private keep(rest: Buffer): void {
    this.carry = ensure(this.carry, rest.length);
    rest.copy(this.carry, 0);
    this.leftover = rest.length;
  }

  /** Parse from `pos` as far as complete items go; returns the position reached. */
  private process(buf: Buffer, start = 0): number {
    let pos = start;
    for (;;) {
      const avail = buf.length - pos;
      const st = this.state;
      if (st.kind === "copy") {
        if (avail === 0) break;
        const n = Math.min(st.remaining, avail);
        buf.copy(st.dest, st.pos, pos, pos + n);
        pos += n;
        st.pos += n;
        st.remaining -= n;
        if (st.remaining === 0) {
          this.state = { kind: "header" };
          st.then();
        }
        continue;
      }
      if (st.kind === "need") {
        if (avail < st.n) break;
        const b = buf.subarray(pos, pos + st.n);
        pos += st.n;
        this.state = { kind: "header" };
        st.then(b);
        continue;
      }
      if (avail < 4) break;
      const magic = buf.readUInt32BE(pos);
      if (magic === SIMPLE_REPLY_MAGIC) {
        if (avail < SIMPLE_REPLY_SIZE) break;
        const errno = buf.readUInt32BE(pos + 4);
        const req = this.request(buf, pos + 8);
        pos += SIMPLE_REPLY_SIZE;
        this.simpleReply(req, errno);
      } else if (magic === STRUCTURED_REPLY_MAGIC) {
        if (avail < STRUCTURED_HEADER_SIZE) break;
        const flags = buf.readUInt16BE(pos + 4);
        const type = buf.readUInt16BE(pos + 6);
        const req = this.request(buf, pos + 8);
        const length = buf.readUInt32BE(pos + 16);
        pos += STRUCTURED_HEADER_SIZE;
        this.structuredChunk(req, flags, type, length);
      } else {
        throw new NbdProtocolError(`bad reply magic 0x${magic.toString(16)}`);
      }
    }
    return pos;
  }

  private request(buf: Buffer, at: number): PendingRequest {
    const hi = buf.readUInt32BE(at);
    const lo = buf.readUInt32BE(at + 4);
    const req = hi === 0 ? this.lookup(lo) : undefined;
    if (!req) throw new NbdProtocolError(`reply for unknown cookie ${hi}:${lo}`);
    return req;
  }

  private simpleReply(req: PendingRequest, errno: number): void {
    this.counters.simpleReplies++;
    if (errno !== 0) {
      this.counters.serverErrors++;
      req.error ??= new NbdServerError({ errno, command: cmdNames[req.cmd] ?? String(req.cmd), offset: req.offset, length: req.length });
      this.complete(req);
      return;
    }
    if (req.cmd === Cmd.READ && req.dest) {
      this.state = {
        kind: "copy",
        dest: req.dest,
        pos: 0,
        remaining: req.length,
        then: () => {
          req.covered = req.length;
          this.complete(req);
        },
      };
      return;
    }
    if (req.cmd === Cmd.BLOCK_STATUS) throw new NbdProtocolError("simple reply to BLOCK_STATUS");
    this.complete(req);
  }

  private structuredChunk(req: PendingRequest, flags: number, type: number, length: number): void {
    const done = (flags & CHUNK_FLAG_DONE) !== 0;
    const finish = () => {
      if (done) this.complete(req);
    };
    if (type === Chunk.OFFSET_DATA) {
      if (req.cmd !== Cmd.READ || !req.dest || length <= 8) throw new NbdProtocolError(`unexpected OFFSET_DATA chunk of ${length} bytes`);
      this.counters.dataChunks++;
      this.state = {
        kind: "need",
        n: 8,
        then: (b) => {
          const at = Number(b.readBigUInt64BE(0)) - req.offset;
          const n = length - 8;
          if (at < 0 || at + n > req.length)
            throw new NbdProtocolError(`OFFSET_DATA chunk outside the request (${at}+${n} of ${req.length})`);
          req.covered += n;
          this.state = { kind: "copy", dest: req.dest!, pos: at, remaining: n, then: finish };
        },
      };
      return;
    }
    if (length === 0) {
      if (type !== Chunk.NONE) throw new NbdProtocolError(`empty structured chunk of type ${type}`);
      finish();
      return;
    }
    this.state = {
      kind: "need",
      n: length,
      then: (payload) => {
        this.chunkPayload(req, type, payload);
        finish();
      },
    };
  }

  private chunkPayload(req: PendingRequest, type: number, p: Buffer): void {
    if (type === Chunk.OFFSET_HOLE) {
      if (req.cmd !== Cmd.READ || !req.dest || p.length !== 12) throw new NbdProtocolError("unexpected OFFSET_HOLE chunk");
      const at = Number(p.readBigUInt64BE(0)) - req.offset;
      const n = p.readUInt32BE(8);
      if (at < 0 || at + n > req.length) throw new NbdProtocolError("OFFSET_HOLE chunk outside the request");
      req.dest.fill(0, at, at + n);
      this.counters.holeChunks++;
      req.covered += n;
    } else if (type === Chunk.BLOCK_STATUS) {
      if (req.cmd !== Cmd.BLOCK_STATUS || p.length < 12 || (p.length - 4) % 8 !== 0) throw new NbdProtocolError("bad BLOCK_STATUS chunk");
      if (p.readUInt32BE(0) !== this.allocationContextId()) return; // a context we did not ask for
      const extents: NbdExtent[] = [];
      let offset = req.offset;
      for (let i = 4; i < p.length; i += 8) {
        const len = p.readUInt32BE(i);
        const state = p.readUInt32BE(i + 4);
        if (len === 0) throw new NbdProtocolError("BLOCK_STATUS extent of length 0");
        extents.push({ offset, length: len, hole: (state & STATE_HOLE) !== 0, zero: (state & STATE_ZERO) !== 0 });
        offset += len;
      }
      req.extents = extents;
    } else if (type & CHUNK_TYPE_ERROR_BIT) {
      if (p.length < 6) throw new NbdProtocolError("short ERROR chunk");
      this.counters.errorChunks++;
      if (!req.error) this.counters.serverErrors++;
      const errno = p.readUInt32BE(0);
      const msgLen = p.readUInt16BE(4);
      const message = p.subarray(6, 6 + msgLen).toString("utf8");
      const at = type === Chunk.ERROR_OFFSET && p.length >= 6 + msgLen + 8 ? Number(p.readBigUInt64BE(6 + msgLen)) : req.offset;
      req.error ??= new NbdServerError({ errno, command: cmdNames[req.cmd] ?? String(req.cmd), offset: at, length: req.length, message });
    } else {
      throw new NbdProtocolError(`unknown structured chunk type ${type}`);
    }
  }
}
