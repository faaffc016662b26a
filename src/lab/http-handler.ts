// The lab's HTTP routes: vSphere SOAP at /sdk, /sdk/vimServiceVersions.xml, datastore files at /folder,
// and the model's control API at /v2k-lab/ (basic auth). Every failure becomes an HTTP error or a SOAP
// fault; nothing a client sends can take the process down. The same handler serves the lab's own TLS
// connections and the requests its datastore workers forward (their client's address in `peer`).
import { type IncomingMessage, type ServerResponse } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import { type LabModelApi } from "./model/types";
import { type LabSoapService } from "./soap/service";
import { type FolderContext, serveFolder } from "./soap/folder";

/** Largest SOAP request accepted: real requests are a few KiB, and parsing is synchronous. */
export const MAX_SOAP_BODY = 2 * 1024 * 1024;
const MAX_CONTROL_BODY = 1024 * 1024;

export type ControlHandler = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}) => Promise<{ status: number; body: unknown }>;

/** `peer`: the client's address; `direct`: on the lab process's own TLS connection (not forwarded by a worker). */
export type LabRequestHandler = (req: IncomingMessage, res: ServerResponse, peer: string, direct: boolean) => void;

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** Checks an "Authorization: Basic" header against the lab's credentials (compared as digests). */
export function basicAuthCheck(credentials: { username: string; password: string }): (header: string | undefined) => boolean {
  const expected = digest(`${credentials.username}:${credentials.password}`);
  return (header) => {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? "");
    if (!m) return false;
    return timingSafeEqual(digest(Buffer.from(m[1]!, "base64").toString("utf8")), expected);
  };
}

/** A SOAP reply as the injected faults shape it: late (slow), or cut off mid-element as by a proxy (malformed-reply). */
async function faultedReply(model: LabModelApi, body: string): Promise<string> {
  const slowMs = model.faults().slowMs;
  if (slowMs > 0) await sleep(slowMs);
  return (await model.takeCountedFault("malformedReplies")) ? body.slice(0, Math.floor(body.length / 2)) + "<soapenv:Bro" : body;
}

async function handleSoap(
  service: LabSoapService,
  req: IncomingMessage,
  res: ServerResponse,
  peer: string,
  beforeReply: () => Promise<void>,
): Promise<void> {
  const body = (await readBody(req, MAX_SOAP_BODY)).toString("utf8");
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on("close", onClose);
  const out = await service.handle(body, {
    cookie: req.headers.cookie,
    ip: peer,
    userAgent: String(req.headers["user-agent"] ?? ""),
    signal: abort.signal,
  });
  const reply = await faultedReply(service.model, out.body);
  await beforeReply();
  send(res, out.status, "text/xml; charset=utf-8", reply, out.setCookie ? { "Set-Cookie": out.setCookie } : {});
}

async function handleControl(
  ctx: FolderContext,
  control: ControlHandler | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  beforeReply: () => Promise<void>,
): Promise<void> {
  if (!ctx.checkBasic(req.headers.authorization)) {
    send(res, 401, "application/json", JSON.stringify({ error: "authentication required" }), {
      "WWW-Authenticate": 'Basic realm="v2k-lab"',
    });
    return;
  }
  if (!control) {
    send(res, 404, "application/json", JSON.stringify({ error: "control API not available" }));
    return;
  }
  const raw = (await readBody(req, MAX_CONTROL_BODY)).toString("utf8");
  let body: unknown = undefined;
  if (raw.trim() !== "") {
    try {
      body = JSON.parse(raw);
    } catch {
      send(res, 400, "application/json", JSON.stringify({ error: "body is not JSON" }));
      return;
    }
  }
  const out = await control({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body });
  ctx.service.changed.notify();
  await beforeReply();
  send(res, out.status, "application/json", JSON.stringify(out.body ?? null));
}

export interface LabHandlerOptions {
  folder: FolderContext;
  versionsXml: string;
  control: ControlHandler | undefined;
  /** Called on every /folder request (the datastore workers start with the first). */
  onFolderRequest?: () => void;
  /** True once datastore workers serve: a /folder client on the lab process's own connection is asked to
   * reconnect (Connection: close), and its next connection goes to a worker. */
  workersReady?: () => boolean;
  /** Awaited before each SOAP and control reply: the datastore workers drop the grants they keep. */
  beforeReply?: () => Promise<void>;
}

export function labRequestHandler(o: LabHandlerOptions): LabRequestHandler {
  const beforeReply = o.beforeReply ?? (() => Promise.resolve());
  const route = async (req: IncomingMessage, res: ServerResponse, peer: string, direct: boolean) => {
    const url = new URL(req.url ?? "/", "https://lab");
    if (url.pathname === "/sdk" && req.method === "POST") await handleSoap(o.folder.service, req, res, peer, beforeReply);
    else if (url.pathname === "/sdk/vimServiceVersions.xml" && (req.method === "GET" || req.method === "HEAD"))
      send(res, 200, "text/xml; charset=utf-8", o.versionsXml);
    else if (url.pathname.startsWith("/folder/")) {
      o.onFolderRequest?.();
      if (direct && o.workersReady?.()) res.setHeader("Connection", "close");
      await serveFolder(req, res, url, o.folder);
    } else if (url.pathname === "/v2k-lab" || url.pathname.startsWith("/v2k-lab/"))
      await handleControl(o.folder, o.control, req, res, url, beforeReply);
    else send(res, 404, "text/plain; charset=utf-8", "Not found\n");
  };
  return (req, res, peer, direct) =>
    void route(req, res, peer, direct).catch((err: unknown) => {
      if (err instanceof BodyTooLarge) {
        send(res, 413, "text/plain; charset=utf-8", "Request body too large\n", { Connection: "close" });
        req.destroy();
        return;
      }
      process.stderr.write(`lab http: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (res.headersSent) res.destroy();
      else send(res, 500, "text/plain; charset=utf-8", "Internal error\n");
    });
}
