// Fixed newstyle negotiation: STRUCTURED_REPLY, SET_META_CONTEXT base:allocation, then GO with the
// export name and info requests (export size/flags, block size constraints).
import { type Socket } from "node:net";
import { ByteReader } from "./byte-reader";
import { NbdProtocolError } from "./errors";
import {
  DEFAULT_MAX_BLOCK,
  FLAG_C_FIXED_NEWSTYLE,
  FLAG_C_NO_ZEROES,
  FLAG_FIXED_NEWSTYLE,
  FLAG_NO_ZEROES,
  IHAVEOPT,
  Info,
  NBDMAGIC,
  OLDSTYLE_MAGIC,
  Opt,
  OPTION_REPLY_MAGIC,
  Rep,
  REP_FLAG_ERROR,
  repErrorName,
  TxFlag,
} from "./protocol";

export interface BlockSizeConstraints {
  minimum: number;
  preferred: number;
  maximum: number;
}

/** What the server told us about the export in the handshake. */
export interface ExportInfo {
  exportName: string;
  size: number;
  /** Raw transmission flags (see TxFlag). */
  flags: number;
  readOnly: boolean;
  canFlush: boolean;
  canFua: boolean;
  canTrim: boolean;
  canWriteZeroes: boolean;
  canFastZero: boolean;
  canMultiConn: boolean;
  structuredReplies: boolean;
  /** Context id of base:allocation, when the server agreed to it (BLOCK_STATUS then works). */
  allocationContextId: number | undefined;
  blockSize: BlockSizeConstraints;
}

export interface HandshakeOptions {
  exportName: string;
  /** Ask for base:allocation (BLOCK_STATUS). Default true. */
  wantExtents?: boolean;
}

interface OptionReply {
  type: number;
  data: Buffer;
}

async function readOptionReply(reader: ByteReader, option: number): Promise<OptionReply> {
  const head = await reader.read(20);
  const magic = head.readBigUInt64BE(0);
  if (magic !== OPTION_REPLY_MAGIC) throw new NbdProtocolError(`bad option reply magic 0x${magic.toString(16)}`);
  const opt = head.readUInt32BE(8);
  if (opt !== option) throw new NbdProtocolError(`option reply for option ${opt}, expected ${option}`);
  const type = head.readUInt32BE(12);
  const length = head.readUInt32BE(16);
  if (length > 16 * 1024 * 1024) throw new NbdProtocolError(`option reply of ${length} bytes is too large`);
  const data = length > 0 ? Buffer.from(await reader.read(length)) : Buffer.alloc(0);
  return { type, data };
}

function sendOption(socket: Socket, option: number, data: Buffer): void {
  const head = Buffer.alloc(16);
  head.writeBigUInt64BE(IHAVEOPT, 0);
  head.writeUInt32BE(option, 8);
  head.writeUInt32BE(data.length, 12);
  socket.write(data.length > 0 ? Buffer.concat([head, data]) : head);
}

function optionError(option: string, reply: OptionReply): NbdProtocolError {
  const text = reply.data.length > 0 ? `: ${reply.data.toString("utf8")}` : "";
  return new NbdProtocolError(`server refused ${option} with ${repErrorName(reply.type)}${text}`);
}

function nameBuffer(exportName: string): Buffer {
  const name = Buffer.from(exportName, "utf8");
  const b = Buffer.alloc(4 + name.length);
  b.writeUInt32BE(name.length, 0);
  name.copy(b, 4);
  return b;
}

/** Runs the handshake; the caller detaches the reader afterwards (unread bytes go to the reply parser). */
export async function negotiate(socket: Socket, reader: ByteReader, options: HandshakeOptions): Promise<ExportInfo> {
  try {
    const hello = await reader.read(18);
    if (hello.readBigUInt64BE(0) !== NBDMAGIC) throw new NbdProtocolError("not an NBD server (bad greeting magic)");
    const second = hello.readBigUInt64BE(8);
    if (second === OLDSTYLE_MAGIC) throw new NbdProtocolError("oldstyle NBD servers are not supported");
    if (second !== IHAVEOPT) throw new NbdProtocolError(`bad newstyle magic 0x${second.toString(16)}`);
    const serverFlags = hello.readUInt16BE(16);
    if (!(serverFlags & FLAG_FIXED_NEWSTYLE)) throw new NbdProtocolError("the server does not support fixed newstyle negotiation");
    const clientFlags = Buffer.alloc(4);
    clientFlags.writeUInt32BE(FLAG_C_FIXED_NEWSTYLE | (serverFlags & FLAG_NO_ZEROES ? FLAG_C_NO_ZEROES : 0), 0);
    socket.write(clientFlags);

    // Structured replies let READ return holes without sending zeros and are needed for BLOCK_STATUS.
    sendOption(socket, Opt.STRUCTURED_REPLY, Buffer.alloc(0));
    const sr = await readOptionReply(reader, Opt.STRUCTURED_REPLY);
    let structuredReplies = false;
    if (sr.type === Rep.ACK) structuredReplies = true;
    else if (!(sr.type & REP_FLAG_ERROR)) throw new NbdProtocolError(`unexpected reply ${sr.type} to STRUCTURED_REPLY`);

    let allocationContextId: number | undefined;
    if (structuredReplies && options.wantExtents !== false) {
      const query = Buffer.from("base:allocation", "utf8");
      const q = Buffer.alloc(8 + query.length);
      q.writeUInt32BE(1, 0);
      q.writeUInt32BE(query.length, 4);
      query.copy(q, 8);
      sendOption(socket, Opt.SET_META_CONTEXT, Buffer.concat([nameBuffer(options.exportName), q]));
      for (;;) {
        const r = await readOptionReply(reader, Opt.SET_META_CONTEXT);
        if (r.type === Rep.ACK) break;
        if (r.type & REP_FLAG_ERROR) break; // no extents; copying still works
        if (r.type === Rep.META_CONTEXT && r.data.length >= 4) {
          if (r.data.subarray(4).toString("utf8") === "base:allocation") allocationContextId = r.data.readUInt32BE(0);
        }
      }
    }

    const infoRequests = [Info.EXPORT, Info.BLOCK_SIZE];
    const go = Buffer.alloc(2 + 2 * infoRequests.length);
    go.writeUInt16BE(infoRequests.length, 0);
    infoRequests.forEach((t, i) => go.writeUInt16BE(t, 2 + 2 * i));
    sendOption(socket, Opt.GO, Buffer.concat([nameBuffer(options.exportName), go]));
    let size: number | undefined;
    let flags = 0;
    let blockSize: BlockSizeConstraints = { minimum: 1, preferred: 4096, maximum: DEFAULT_MAX_BLOCK };
    for (;;) {
      const r = await readOptionReply(reader, Opt.GO);
      if (r.type === Rep.ACK) break;
      if (r.type & REP_FLAG_ERROR) throw optionError(`export '${options.exportName}'`, r);
      if (r.type !== Rep.INFO || r.data.length < 2) continue;
      const infoType = r.data.readUInt16BE(0);
      if (infoType === Info.EXPORT && r.data.length >= 12) {
        size = Number(r.data.readBigUInt64BE(2));
        flags = r.data.readUInt16BE(10);
      } else if (infoType === Info.BLOCK_SIZE && r.data.length >= 14) {
        const minimum = r.data.readUInt32BE(2);
        const preferred = r.data.readUInt32BE(6);
        const maximum = r.data.readUInt32BE(10);
        // Never trust a maximum above what a client may assume anyway: it bounds our buffers.
        blockSize = { minimum: Math.max(1, minimum), preferred, maximum: Math.min(Math.max(maximum, minimum), DEFAULT_MAX_BLOCK) };
      }
    }
    if (size === undefined) throw new NbdProtocolError("the server sent no NBD_INFO_EXPORT before ACK");
    const has = (f: number) => (flags & TxFlag.HAS_FLAGS) !== 0 && (flags & f) !== 0;
    const info: ExportInfo = {
      exportName: options.exportName,
      size,
      flags,
      readOnly: has(TxFlag.READ_ONLY),
      canFlush: has(TxFlag.SEND_FLUSH),
      canFua: has(TxFlag.SEND_FUA),
      canTrim: has(TxFlag.SEND_TRIM),
      canWriteZeroes: has(TxFlag.SEND_WRITE_ZEROES),
      canFastZero: has(TxFlag.SEND_FAST_ZERO),
      canMultiConn: has(TxFlag.CAN_MULTI_CONN),
      structuredReplies,
      allocationContextId,
      blockSize,
    };
    return info;
  } catch (e) {
    reader.detach();
    throw e;
  }
}
