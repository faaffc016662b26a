// A datastore worker: a process of its own that terminates TLS for the connections the lab process hands
// it, serves /folder reads of disk data files straight from the files, and forwards everything else to
// the lab process. Every /folder request is first granted by the lab process (session, basic auth,
// path, armed faults), so a worker holds no secret but the TLS key; the only state it keeps is the data
// file grants it was given, until the lab process revokes them (./kept-grants.ts).
// It lives as long as the IPC channel: when the lab process exits, even by SIGKILL, the channel
// closes and the worker shuts down.
import { createServer, type Server } from "node:https";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { type Socket } from "node:net";
import { rmSync } from "node:fs";
import { basename, dirname } from "node:path";
import { adoptConnection, applyLabServerSettings } from "../server-settings";
import { plain } from "../soap/folder-range";
import { serveFileRange } from "./file-range";
import { PrimaryProxy } from "./proxy";
import { KeptGrants } from "./kept-grants";
import { type FolderGrant, type FolderGrantRequest, type FromWorker, type ToWorker } from "./protocol";

type Config = Extract<ToWorker, { type: "config" }>;

/** Last guard: a /folder request whose grant never comes gets a 503 and a log line, never silence. */
const GRANT_DEADLINE_MS = 30_000;

class DatastoreWorker {
  private readonly server: Server;
  private readonly proxy: PrimaryProxy;
  private readonly grants = new Map<number, { request: FolderGrantRequest; done: (g: FolderGrant | undefined) => void }>();
  private readonly kept = new KeptGrants();
  private nextId = 1;

  constructor(private readonly config: Config) {
    this.proxy = new PrimaryProxy(config.primarySocket);
    this.server = createServer({ key: config.tls.key, cert: config.tls.cert }, (req, res) => void this.handle(req, res));
    applyLabServerSettings(this.server);
  }

  accept(socket: Socket): void {
    adoptConnection(this.server, socket);
  }

  granted(id: number, grant: FolderGrant): void {
    const pending = this.grants.get(id);
    if (!pending) return;
    this.grants.delete(id);
    // kept here, not where the request awaits it: a "revoke" that follows in the same IPC read must drop it
    this.kept.keep(pending.request, grant);
    pending.done(grant);
  }

  /** The lab process's revocation: no kept grant survives it. */
  revoke(): void {
    this.kept.clear();
  }

  /** The lab process's grant; "late" when none came within GRANT_DEADLINE_MS (logged), undefined once stopping. */
  private ask(req: IncomingMessage): Promise<FolderGrant | "late" | undefined> {
    const request = { method: req.method ?? "", url: req.url ?? "/", cookie: req.headers.cookie, authorization: req.headers.authorization };
    const kept = this.kept.get(request);
    if (kept) return Promise.resolve(kept);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.grants.delete(id);
        process.stderr.write(`lab datastore worker: no grant for ${request.method} ${request.url} within ${GRANT_DEADLINE_MS} ms\n`);
        resolve("late");
      }, GRANT_DEADLINE_MS);
      this.grants.set(id, {
        request,
        done: (grant) => {
          clearTimeout(timer);
          resolve(grant);
        },
      });
      send({ type: "grant", id, request });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!(req.url ?? "").startsWith("/folder/")) return this.proxy.forward(req, res);
      const grant = await this.ask(req);
      if (!grant) return plain(res, 503, "The lab is stopping\n", { Connection: "close" });
      if (grant === "late") return plain(res, 503, "The lab process did not answer\n", { Connection: "close" });
      if (grant.kind === "primary") return this.proxy.forward(req, res);
      if (grant.kind === "reply") return plain(res, grant.status, grant.text, grant.headers);
      await serveFileRange(req, res, grant);
    } catch (err) {
      process.stderr.write(`lab datastore worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      if (res.headersSent) res.destroy();
      else plain(res, 500, "Internal error\n");
    }
  }

  close(): void {
    for (const { done } of this.grants.values()) done(undefined);
    this.grants.clear();
    this.server.close();
    this.server.closeAllConnections();
    this.proxy.close();
    // the lab process removes its socket's directory itself, unless it was killed: then the last one out does
    const dir = dirname(this.config.primarySocket);
    if (basename(dir).startsWith("v2k-lab-sock-")) rmSync(dir, { recursive: true, force: true });
  }
}

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

/** The worker's life: configured by the lab process, then connections and grants until the channel closes. */
export function runDatastoreWorker(): Promise<void> {
  process.title = "ablestack_v2k lab datastore worker";
  let worker: DatastoreWorker | undefined;
  return new Promise((resolve) => {
    process.on("message", (m: ToWorker, handle?: Socket) => {
      if (m.type === "config" && !worker) {
        worker = new DatastoreWorker(m);
        send({ type: "ready" });
      } else if (m.type === "connection" && handle) {
        send({ type: "accepted", id: m.id }); // the lab process closes its copy of the connection now
        if (worker) worker.accept(handle);
        else handle.destroy();
      } else if (m.type === "grant") worker?.granted(m.id, m.grant);
      else if (m.type === "revoke") {
        worker?.revoke();
        send({ type: "revoked", id: m.id });
      }
    });
    process.once("disconnect", () => {
      worker?.close();
      resolve();
    });
  });
}
