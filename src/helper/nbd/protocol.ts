// NBD wire constants (fixed newstyle handshake, simple and structured replies) as named in the
// NBD protocol document (doc/proto.md of the nbd project). Only what this client uses.

export const NBDMAGIC = 0x4e42444d41474943n; // "NBDMAGIC"
export const IHAVEOPT = 0x49484156454f5054n; // "IHAVEOPT"
export const OLDSTYLE_MAGIC = 0x0000420281861253n;
export const OPTION_REPLY_MAGIC = 0x0003e889045565a9n;

export const REQUEST_MAGIC = 0x25609513;
export const SIMPLE_REPLY_MAGIC = 0x67446698;
export const STRUCTURED_REPLY_MAGIC = 0x668e33ef;

// Handshake flags (server) and client flags.
export const FLAG_FIXED_NEWSTYLE = 1 << 0;
export const FLAG_NO_ZEROES = 1 << 1;
export const FLAG_C_FIXED_NEWSTYLE = 1 << 0;
export const FLAG_C_NO_ZEROES = 1 << 1;

export const Opt = {
  EXPORT_NAME: 1,
  ABORT: 2,
  LIST: 3,
  STARTTLS: 5,
  INFO: 6,
  GO: 7,
  STRUCTURED_REPLY: 8,
  LIST_META_CONTEXT: 9,
  SET_META_CONTEXT: 10,
} as const;

export const Rep = {
  ACK: 1,
  SERVER: 2,
  INFO: 3,
  META_CONTEXT: 4,
} as const;
export const REP_FLAG_ERROR = 0x80000000;
const repErrorNames: Record<number, string> = {
  1: "NBD_REP_ERR_UNSUP",
  2: "NBD_REP_ERR_POLICY",
  3: "NBD_REP_ERR_INVALID",
  4: "NBD_REP_ERR_PLATFORM",
  5: "NBD_REP_ERR_TLS_REQD",
  6: "NBD_REP_ERR_UNKNOWN",
  7: "NBD_REP_ERR_SHUTDOWN",
  8: "NBD_REP_ERR_BLOCK_SIZE_REQD",
  9: "NBD_REP_ERR_TOO_BIG",
};
export function repErrorName(type: number): string {
  return repErrorNames[type & ~REP_FLAG_ERROR] ?? `NBD_REP_ERR_${type & ~REP_FLAG_ERROR}`;
}

export const Info = {
  EXPORT: 0,
  NAME: 1,
  DESCRIPTION: 2,
  BLOCK_SIZE: 3,
} as const;

/** Transmission flags (NBD_INFO_EXPORT). */
export const TxFlag = {
  HAS_FLAGS: 1 << 0,
  READ_ONLY: 1 << 1,
  SEND_FLUSH: 1 << 2,
  SEND_FUA: 1 << 3,
  ROTATIONAL: 1 << 4,
  SEND_TRIM: 1 << 5,
  SEND_WRITE_ZEROES: 1 << 6,
  SEND_DF: 1 << 7,
  CAN_MULTI_CONN: 1 << 8,
  SEND_RESIZE: 1 << 9,
  SEND_CACHE: 1 << 10,
  SEND_FAST_ZERO: 1 << 11,
} as const;

export const Cmd = {
  READ: 0,
  WRITE: 1,
  DISC: 2,
  FLUSH: 3,
  TRIM: 4,
  CACHE: 5,
  WRITE_ZEROES: 6,
  BLOCK_STATUS: 7,
} as const;
export type CmdType = (typeof Cmd)[keyof typeof Cmd];
export const cmdNames: Record<number, string> = {
  0: "READ",
  1: "WRITE",
  2: "DISC",
  3: "FLUSH",
  4: "TRIM",
  5: "CACHE",
  6: "WRITE_ZEROES",
  7: "BLOCK_STATUS",
};

export const CmdFlag = {
  FUA: 1 << 0,
  NO_HOLE: 1 << 1,
  DF: 1 << 2,
  REQ_ONE: 1 << 3,
  FAST_ZERO: 1 << 4,
} as const;

export const Chunk = {
  NONE: 0,
  OFFSET_DATA: 1,
  OFFSET_HOLE: 2,
  BLOCK_STATUS: 5,
  ERROR: (1 << 15) + 1,
  ERROR_OFFSET: (1 << 15) + 2,
} as const;
export const CHUNK_FLAG_DONE = 1;
export const CHUNK_TYPE_ERROR_BIT = 1 << 15;

/** base:allocation descriptor flags. */
export const STATE_HOLE = 1;
export const STATE_ZERO = 2;

/** NBD error values (the wire uses these numbers whatever the host's errno values are). */
const errnoNames: Record<number, string> = {
  1: "EPERM",
  5: "EIO",
  12: "ENOMEM",
  22: "EINVAL",
  28: "ENOSPC",
  75: "EOVERFLOW",
  95: "ENOTSUP",
  108: "ESHUTDOWN",
};
export function errnoName(errno: number): string {
  return errnoNames[errno] ?? `errno ${errno}`;
}
export const ENOSPC = 28;
export const ENOTSUP = 95;

/** Sizes a client must assume when the server announces no block size constraints. */
export const DEFAULT_MAX_BLOCK = 32 * 1024 * 1024;
export const REQUEST_HEADER_SIZE = 28;
export const SIMPLE_REPLY_SIZE = 16;
export const STRUCTURED_HEADER_SIZE = 20;
