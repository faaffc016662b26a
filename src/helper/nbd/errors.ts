// The NBD client's own error hierarchy. It stays inside the data path: endpoints and commands
// convert it once into V2kError (nbdToV2kError) with the disk, offset and endpoint in the message.
import { type ErrorCode } from "../../shared/errors";
import { V2kError } from "../../shared/v2k-error";
import { ENOSPC, errnoName } from "./protocol";

export abstract class NbdError extends Error {}

/** The peer broke the protocol (bad magic, unexpected reply, failed negotiation). */
export class NbdProtocolError extends NbdError {
  override readonly name = "NbdProtocolError";
}

/** The connection closed or failed while requests were outstanding, or the client was closed. */
export class NbdDisconnectedError extends NbdError {
  override readonly name = "NbdDisconnectedError";
  /** True when the connection never came up (no server at the socket/port). */
  readonly connectFailed: boolean;
  constructor(message: string, options: { connectFailed?: boolean } = {}) {
    super(message);
    this.connectFailed = options.connectFailed ?? false;
  }
}

/** The server answered a request with an error (simple reply error or an ERROR chunk). */
export class NbdServerError extends NbdError {
  override readonly name = "NbdServerError";
  /** The wire errno (NBD numbering) and its name, e.g. 28 / "ENOSPC". */
  readonly errno: number;
  readonly errnoName: string;
  readonly command: string;
  readonly offset: number;
  readonly length: number;

  constructor(args: { errno: number; command: string; offset: number; length: number; message?: string }) {
    const name = errnoName(args.errno);
    super(`${args.command} at offset ${args.offset} length ${args.length} failed: ${name}${args.message ? ` (${args.message})` : ""}`);
    this.errno = args.errno;
    this.errnoName = name;
    this.command = args.command;
    this.offset = args.offset;
    this.length = args.length;
  }
}

export type NbdRole = "source" | "target" | "nbd";

export interface NbdErrorContext {
  /** Which side of a copy failed; decides the error code. "nbd" for plain client use (verify). */
  role: NbdRole;
  /** Disk label for messages, e.g. "disk 2000". */
  disk?: string;
  /** Endpoint description, e.g. "qemu-nbd qcow2 /var/lib/x.qcow2". */
  endpoint?: string;
  offset?: number;
  /** The server's own log (stderr tail), appended to the detail. */
  serverLog?: string;
}

/** Convert anything the NBD layer threw into a V2kError; V2kErrors pass through unchanged. */
export function nbdToV2kError(err: unknown, ctx: NbdErrorContext): V2kError {
  if (err instanceof V2kError) return err;
  const where = [ctx.disk, ctx.offset !== undefined ? `offset ${ctx.offset}` : undefined, ctx.endpoint]
    .filter((s) => s !== undefined && s !== "")
    .join(", ");
  const suffix = where ? ` (${where})` : "";
  const log = ctx.serverLog?.trim();
  const detail = (err instanceof Error ? err.message : String(err)) + (log ? `\n--- server log ---\n${log}` : "");
  if (err instanceof NbdServerError && err.errno === ENOSPC && ctx.role !== "source") {
    return new V2kError(
      "TARGET_FULL",
      `the target is full${suffix}`,
      "Free space on the target storage (or grow it) and re-run the sync.",
      { detail, cause: err },
    );
  }
  let code: ErrorCode;
  let hint: string;
  if (ctx.role === "source") {
    code = "NBD_SOURCE_FAILED";
    hint = "Check the source (vCenter/ESXi reachability, session, nbdkit log in the detail) and re-run: the copy resumes.";
  } else if (ctx.role === "target") {
    code = "NBD_TARGET_FAILED";
    hint = "Check the target storage and the qemu-nbd output in the detail, then re-run: the copy resumes.";
  } else if (err instanceof NbdServerError) {
    code = "NBD_SERVER_ERROR";
    hint = "The NBD server refused the request; see the detail.";
  } else {
    code = "NBD_PROTOCOL";
    hint = "The NBD server broke the protocol or went away; see the detail.";
  }
  const what =
    err instanceof NbdServerError
      ? `${err.command} failed with ${err.errnoName}`
      : err instanceof NbdDisconnectedError
        ? err.connectFailed
          ? "server unreachable"
          : "connection lost"
        : err instanceof NbdProtocolError
          ? `protocol error: ${err.message}`
          : `failed: ${detail.split("\n")[0]}`;
  return new V2kError(code, `NBD ${ctx.role === "nbd" ? "" : ctx.role + " "}${what}${suffix}`, hint, { detail, cause: err });
}
