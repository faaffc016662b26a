// Datastore file access over HTTPS as ESXi/vCenter serve it: GET/HEAD /folder/<path>?dcPath=&dsName=
// with Range requests, authenticated by the vmware_soap_session cookie or HTTP basic auth.
// Files are streamed in bounded chunks (./folder-range.ts); a whole disk is never buffered. The lab's
// datastore workers ask folderGrant() first and read data files themselves (see ../folder-workers).
import { type IncomingMessage, type ServerResponse } from "node:http";
import { LabFault, type DatastoreFile, type LabFaults, type LabModelApi } from "../model/types";
import { type LabSoapService } from "./service";
import { UNAUTHORIZED, plain, serveRange } from "./folder-range";
import { type FolderGrant, type FolderGrantRequest } from "../folder-workers/protocol";

export { parseRange, type ByteRange } from "./folder-range";

export interface FolderContext {
  service: LabSoapService;
  /** The datacenter's inventory path below the root folder ("lab-dc", or "Folder/lab-dc"). */
  datacenterPath: string;
  checkBasic(header: string | undefined): boolean;
}

type Resolved = { kind: "reply"; status: number; text: string; headers?: Record<string, string> } | { kind: "file"; file: DatastoreFile };

/** Method, authentication, path and datacenter checks, then the file (or the error reply, in this order). */
function resolveFolder(request: FolderGrantRequest, ctx: FolderContext): Resolved {
  if (request.method !== "GET" && request.method !== "HEAD")
    return { kind: "reply", status: 405, text: "Method not allowed\n", headers: { Allow: "GET, HEAD" } };
  const authed = ctx.service.sessionFor(request.cookie) !== undefined || ctx.checkBasic(request.authorization);
  if (!authed) return { kind: "reply", ...UNAUTHORIZED };
  const url = new URL(request.url, "https://lab");
  const notFound: Resolved = { kind: "reply", status: 404, text: "Not found\n" };
  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice("/folder/".length));
  } catch {
    return { kind: "reply", status: 400, text: "Bad path encoding\n" };
  }
  const dsName = url.searchParams.get("dsName");
  const dcPath = url.searchParams.get("dcPath");
  if (!dsName || path === "" || path.split("/").some((p) => p === ".." || p === ".")) return notFound;
  // vCenter takes the datacenter's inventory path with or without a leading slash (govc sends "/dc").
  const dc = dcPath?.replace(/^\/+|\/+$/g, "");
  if (dc !== undefined && dc !== ctx.datacenterPath && dc !== "ha-datacenter") return notFound;
  try {
    return { kind: "file", file: ctx.service.model.openDatastoreFile(dsName, path) };
  } catch (err) {
    if (err instanceof LabFault) return notFound;
    throw err;
  }
}

/** Any datastore fault armed: such reads stay in the lab process, where the faults count down and strike. */
export function datastoreFaultsArmed(f: LabFaults, now = Date.now()): boolean {
  const until = f.connectionResetsUntil ? Date.parse(f.connectionResetsUntil) : 0;
  return f.datastoreReadErrors > 0 || (f.connectionResets ?? 0) > 0 || (f.connectionResetOutageMs ?? 0) > 0 || now < until;
}

/** What a datastore worker may do with a request: answer it, read a data file itself, or pass it on. */
export function folderGrant(request: FolderGrantRequest, ctx: FolderContext): FolderGrant {
  const r = resolveFolder(request, ctx);
  if (r.kind === "reply") return { kind: "reply", status: r.status, text: r.text, headers: r.headers ?? {} };
  const local = r.file.local;
  if (!local || datastoreFaultsArmed(ctx.service.model.faults())) return { kind: "primary" };
  return { kind: "file", path: local.path, name: local.name, size: r.file.size };
}

/** The connection-reset fault: inside its time window, or one of its next N reads. */
async function resetNow(model: LabModelApi): Promise<boolean> {
  const { connectionResetOutageMs: outage, connectionResetsUntil: until } = model.faults();
  if (outage) {
    await model.setFaults({ connectionResetOutageMs: 0, connectionResetsUntil: new Date(Date.now() + outage).toISOString() });
    return true;
  }
  if (until && Date.now() < Date.parse(until)) return true;
  return model.takeCountedFault("connectionResets");
}

/** As a flaky network or a restarting hostd does: some body bytes, then the connection is cut (no TLS close). */
function resetAfter(res: ServerResponse, chunk: Buffer, faults: LabFaults): void {
  const n = Math.min(chunk.length, faults.connectionResetAfterBytes ?? 0);
  if (n === 0) res.flushHeaders();
  res.write(chunk.subarray(0, n), () => res.destroy());
}

export async function serveFolder(req: IncomingMessage, res: ServerResponse, url: URL, ctx: FolderContext): Promise<void> {
  const request = {
    method: req.method ?? "",
    url: url.pathname + url.search,
    cookie: req.headers.cookie,
    authorization: req.headers.authorization,
  };
  const resolved = resolveFolder(request, ctx);
  if (resolved.kind === "reply") return plain(res, resolved.status, resolved.text, resolved.headers);
  const { file } = resolved;
  const model = ctx.service.model;
  await serveRange(req, res, {
    size: file.size,
    read: (pos, len) => file.read(pos, pos + len),
    readErrorText: (err) => (err instanceof LabFault ? `Read error: ${err.message}\n` : undefined),
    interrupt: async (r, first) => {
      if (!(await resetNow(model))) return false;
      resetAfter(r, first, model.faults());
      return true;
    },
  });
}
