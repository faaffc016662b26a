// Public surface of the NBD client. Other modules import from here only.
export { NbdClient, NBD_READ_BUFFER_BYTES, type NbdConnectOptions } from "./client";
export { type ExportInfo, type BlockSizeConstraints } from "./handshake";
export { type NbdExtent, type ReplyCounters } from "./reply-parser";
export {
  NbdError,
  NbdProtocolError,
  NbdServerError,
  NbdDisconnectedError,
  nbdToV2kError,
  type NbdErrorContext,
  type NbdRole,
} from "./errors";
export { parseNbdUri, unixNbdUri } from "./uri";
