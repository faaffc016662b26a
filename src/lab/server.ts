// The lab's HTTPS server: vSphere SOAP at /sdk, /sdk/vimServiceVersions.xml, datastore files at
// /folder, and the model's control API at /v2k-lab/ (basic auth). Every failure becomes an HTTP
// error or a SOAP fault; nothing a client sends can take the process down.
import { createServer, type Server } from "node:https";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, type Socket } from "node:net";
import { createHash, timingSafeEqual } from "node:crypto";
import { type LabModelApi } from "./model/types";
import { LabSoapService } from "./soap/service";
import { serveFolder } from "./soap/folder";
import { datacenterPath as datacenterPathOf } from "./soap/objects/ids";
import { type VersionProfile, serviceVersionsXml, versionProfile } from "./soap/versions";

/** Largest SOAP request accepted: real requests are a few KiB, and parsing is synchronous. */
export const MAX_SOAP_BODY = 2 * 1024 * 1024;
const MAX_CONTROL_BODY = 1024 * 1024;

export type ControlHandler = (req: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}) => Promise<{ status: number; body: unknown }>;

export interface LabServerOptions {
  host: string;
  port: number;
  tls: { key: string; cert: string };
  model: LabModelApi;
  credentials: { username: string; password: string };
  instanceUuid: string;
  /** The vSphere generation the lab presents (default 6.7). */
  profile?: VersionProfile;
  control?: ControlHandler;
}

export interface LabServer {
  host: string;
  port: number;
  service: LabSoapService;
  close(): Promise<void>;
}

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

/** A SOAP reply as the injected faults shape it: late (slow), or cut off mid-element as by a proxy (malformed-reply). */
async function faultedReply(model: LabModelApi, body: string): Promise<string> {
  const slowMs = model.faults().slowMs;
  if (slowMs > 0) await sleep(slowMs);
  return (await model.takeCountedFault("malformedReplies")) ? body.slice(0, Math.floor(body.length / 2)) + "<soapenv:Bro" : body;
}

export async function startLabServer(opts: LabServerOptions): Promise<LabServer> {
  const profile = opts.profile ?? versionProfile(undefined);
  const service = new LabSoapService(opts.model, opts.credentials, opts.instanceUuid, profile);
  const versionsXml = serviceVersionsXml(profile);
  const datacenterPath = datacenterPathOf(opts.model.inventory().datacenter);
  const expectedBasic = digest(`${opts.credentials.username}:${opts.credentials.password}`);
  const checkBasic = (header: string | undefined): boolean => {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? "");
    if (!m) return false;
    return timingSafeEqual(digest(Buffer.from(m[1]!, "base64").toString("utf8")), expectedBasic);
  };

  const handleSoap = async (req: IncomingMessage, res: ServerResponse) => {
    const body = (await readBody(req, MAX_SOAP_BODY)).toString("utf8");
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.on("close", onClose);
    const out = await service.handle(body, {
      cookie: req.headers.cookie,
      ip: req.socket.remoteAddress ?? "",
      userAgent: String(req.headers["user-agent"] ?? ""),
      signal: abort.signal,
    });
    const reply = await faultedReply(opts.model, out.body);
    send(res, out.status, "text/xml; charset=utf-8", reply, out.setCookie ? { "Set-Cookie": out.setCookie } : {});
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (!checkBasic(req.headers.authorization)) {
      send(res, 401, "application/json", JSON.stringify({ error: "authentication required" }), {
        "WWW-Authenticate": 'Basic realm="v2k-lab"',
      });
      return;
    }
    if (!opts.control) {
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
    const out = await opts.control({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body });
    service.changed.notify();
    send(res, out.status, "application/json", JSON.stringify(out.body ?? null));
  };

  const server: Server = createServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "https://lab");
        if (url.pathname === "/sdk" && req.method === "POST") await handleSoap(req, res);
        else if (url.pathname === "/sdk/vimServiceVersions.xml" && (req.method === "GET" || req.method === "HEAD"))
          send(res, 200, "text/xml; charset=utf-8", versionsXml);
        else if (url.pathname.startsWith("/folder/")) await serveFolder(req, res, url, { service, datacenterPath, checkBasic });
        else if (url.pathname === "/v2k-lab" || url.pathname.startsWith("/v2k-lab/")) await handleControl(req, res, url);
        else send(res, 404, "text/plain; charset=utf-8", "Not found\n");
      } catch (err) {
        if (err instanceof BodyTooLarge) {
          send(res, 413, "text/plain; charset=utf-8", "Request body too large\n", { Connection: "close" });
          req.destroy();
          return;
        }
        process.stderr.write(`lab http: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        if (res.headersSent) res.destroy();
        else send(res, 500, "text/plain; charset=utf-8", "Internal error\n");
      }
    })();
  });
  // pyVmomi keeps pooled connections for up to 15 minutes; closing idle ones sooner breaks its next call.
  server.keepAliveTimeout = 900_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // WaitForUpdates may legitimately wait long
  server.on("clientError", (_err, socket: Socket) => socket.destroy());
  server.on("tlsClientError", () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    host: opts.host,
    port: address.port,
    service,
    async close() {
      await service.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
