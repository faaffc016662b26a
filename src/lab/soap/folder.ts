// Datastore file access over HTTPS as ESXi/vCenter serve it: GET/HEAD /folder/<path>?dcPath=&dsName=
// with Range requests, authenticated by the vmware_soap_session cookie or HTTP basic auth.
// Files are streamed in bounded chunks with backpressure; a whole disk is never buffered.
import { type IncomingMessage, type ServerResponse } from "node:http";
import { LabFault, type LabFaults, type LabModelApi } from "../model/types";
import { type LabSoapService } from "./service";

const CHUNK = 2 * 1024 * 1024;

export interface FolderContext {
  service: LabSoapService;
  /** The datacenter's inventory path below the root folder ("lab-dc", or "Folder/lab-dc"). */
  datacenterPath: string;
  checkBasic(header: string | undefined): boolean;
}

export type ByteRange = { start: number; end: number } | "unsatisfiable" | undefined;

/** Parses a single "bytes=" range against a size; multi-range requests are answered in full. */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === "" && b === "") return undefined;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(a);
  const end = b === "" ? size : Math.min(size, Number(b) + 1);
  if (start >= size || end <= start) return "unsatisfiable";
  return { start, end };
}

/** Resolves when the response can take more data or the client went away (listeners removed again). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
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
  if (req.method !== "GET" && req.method !== "HEAD") return plain(res, 405, "Method not allowed\n", { Allow: "GET, HEAD" });
  const authed = ctx.service.sessionFor(req.headers.cookie) !== undefined || ctx.checkBasic(req.headers.authorization);
  if (!authed) return plain(res, 401, "Authentication required\n", { "WWW-Authenticate": 'Basic realm="VMware HTTP server"' });

  let path: string;
  try {
    path = decodeURIComponent(url.pathname.slice("/folder/".length));
  } catch {
    return plain(res, 400, "Bad path encoding\n");
  }
  const dsName = url.searchParams.get("dsName");
  const dcPath = url.searchParams.get("dcPath");
  if (!dsName || path === "" || path.split("/").some((p) => p === ".." || p === ".")) return plain(res, 404, "Not found\n");
  // vCenter takes the datacenter's inventory path with or without a leading slash (govc sends "/dc").
  const dc = dcPath?.replace(/^\/+|\/+$/g, "");
  if (dc !== undefined && dc !== ctx.datacenterPath && dc !== "ha-datacenter") return plain(res, 404, "Not found\n");

  let file;
  try {
    file = ctx.service.model.openDatastoreFile(dsName, path);
  } catch (err) {
    if (err instanceof LabFault) return plain(res, 404, "Not found\n");
    throw err;
  }
  const range = parseRange(req.headers.range, file.size);
  if (range === "unsatisfiable") return plain(res, 416, "Range not satisfiable\n", { "Content-Range": `bytes */${file.size}` });
  const start = range?.start ?? 0;
  const end = range?.end ?? file.size;
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Accept-Ranges": "bytes",
    "Content-Length": String(end - start),
  };
  if (range) headers["Content-Range"] = `bytes ${start}-${end - 1}/${file.size}`;
  const status = range ? 206 : 200;
  if (req.method === "HEAD") {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  // Read the first chunk before sending headers: an immediate read error is still a clean 500.
  const readAt = (pos: number) => file.read(pos, Math.min(end, pos + CHUNK));
  let pos = start;
  let chunk: Buffer;
  try {
    chunk = await readAt(pos);
  } catch (err) {
    if (err instanceof LabFault) return plain(res, 500, `Read error: ${err.message}\n`);
    throw err;
  }
  res.writeHead(status, headers);
  if (await resetNow(ctx.service.model)) return resetAfter(res, chunk, ctx.service.model.faults());
  for (;;) {
    if (chunk.length === 0) {
      res.destroy(); // the file ended early: never loop on an empty read
      return;
    }
    pos += chunk.length;
    // Read the next chunk while this one drains to the client.
    const next = pos < end ? readAt(pos) : undefined;
    next?.catch(() => undefined);
    if (!res.write(chunk)) await drained(res);
    if (res.destroyed || !next) break;
    try {
      chunk = await next;
    } catch {
      // As a host does when storage fails mid-transfer: the stream is cut short.
      res.destroy();
      return;
    }
  }
  res.end();
}
