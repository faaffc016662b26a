// What the lab process and its datastore workers say to each other over the IPC channel of fork().
// The TLS key travels here once (a private socket pair, never argv or a file); sessions and faults
// never leave the lab process: a worker asks for a grant per request.

/** A /folder request as a worker received it: enough for the lab process to authorize and resolve it. */
export interface FolderGrantRequest {
  method: string;
  /** Path and query as sent ("/folder/web01/web01-flat.vmdk?dcPath=..&dsName=.."). */
  url: string;
  cookie: string | undefined;
  authorization: string | undefined;
}

/** The lab process's answer: a reply to send as is, a data file the worker reads itself, or "send it to me". */
export type FolderGrant =
  | { kind: "reply"; status: number; text: string; headers: Record<string, string> }
  | { kind: "file"; path: string; name: string; size: number }
  | { kind: "primary" };

/** Lab process -> worker. */
export type ToWorker =
  | { type: "config"; tls: { key: string; cert: string }; primarySocket: string }
  /** With the connection's handle; the worker answers "accepted" with the same id. */
  | { type: "connection"; id: number }
  | { type: "grant"; id: number; grant: FolderGrant }
  /** Drop every kept grant; the worker answers "revoked" with the same id. */
  | { type: "revoke"; id: number };

/** Worker -> lab process. */
export type FromWorker =
  | { type: "ready" }
  | { type: "accepted"; id: number }
  | { type: "grant"; id: number; request: FolderGrantRequest }
  | { type: "revoked"; id: number };

/**
 * How long a worker keeps a data file grant for the same request (method, path, cookie, authorization),
 * unless revoked sooner. The lab process revokes kept grants before any SOAP or control reply leaves it,
 * so whatever a client can have learnt (a snapshot removed, a fault armed, a session expired) holds for
 * its next read; time alone changes only an idle session's end (30 min), late by at most this much.
 */
export const GRANT_KEEP_MS = 10_000;

/** Header carrying the client's address on requests a worker forwards to the lab process (set by the worker only). */
export const PEER_HEADER = "x-v2k-lab-peer";
