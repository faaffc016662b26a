// The lab's HTTPS server. Without datastore workers the lab process terminates TLS for every connection
// itself. With them (`lab start`), it accepts each connection paused and hands it to a worker, which
// serves /folder reads of disk files and forwards everything else over a private Unix socket back to
// this process (./folder-workers): SOAP sessions, the model and its faults stay here.
import { createServer as createHttpsServer } from "node:https";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LabModelApi } from "./model/types";
import { LabSoapService } from "./soap/service";
import { folderGrant } from "./soap/folder";
import { datacenterPath as datacenterPathOf } from "./soap/objects/ids";
import { type VersionProfile, serviceVersionsXml, versionProfile } from "./soap/versions";
import { type ControlHandler, type LabRequestHandler, basicAuthCheck, labRequestHandler } from "./http-handler";
import { adoptConnection, applyLabServerSettings } from "./server-settings";
import { DatastoreWorkers, type DatastoreWorkersOptions } from "./folder-workers/pool";
import { PEER_HEADER } from "./folder-workers/protocol";

export { MAX_SOAP_BODY, type ControlHandler } from "./http-handler";

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
  /** Processes serving datastore reads (0: this process serves everything). */
  datastoreWorkers?: number;
}

export interface LabServer {
  host: string;
  port: number;
  service: LabSoapService;
  close(): Promise<void>;
}

function listen(server: NetServer, ...args: [number, string] | [string]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(...(args as [number, string]), () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** The private socket the workers forward to, and the workers; both started with the first /folder request. */
class WorkerSide {
  private dir: string | undefined;
  private readonly internal: HttpServer;
  private workers: DatastoreWorkers | undefined;

  constructor(
    handler: LabRequestHandler,
    private readonly opts: Omit<DatastoreWorkersOptions, "primarySocket">,
  ) {
    this.internal = createHttpServer((req, res) => handler(req, res, String(req.headers[PEER_HEADER] ?? ""), false));
    applyLabServerSettings(this.internal);
  }

  start(): void {
    if (this.dir) return;
    this.dir = mkdtempSync(join(tmpdir(), "v2k-lab-sock-"));
    const socket = join(this.dir, "lab.sock");
    const workers = new DatastoreWorkers({ ...this.opts, primarySocket: socket });
    this.workers = workers;
    listen(this.internal, socket).then(
      () => {
        chmodSync(socket, 0o600);
        workers.start();
      },
      (err: Error) => process.stderr.write(`lab: no datastore workers (${err.message}); the lab process serves every read\n`),
    );
  }

  ready(): boolean {
    return this.workers?.ready() ?? false;
  }

  /** Resolves once no worker keeps a data file grant given so far. */
  revokeGrants(): Promise<void> {
    return this.workers?.revokeGrants() ?? Promise.resolve();
  }

  /** Hands a connection to a worker; false while none is ready. */
  dispatch(socket: Socket, fallback: (socket: Socket) => void): boolean {
    return this.workers?.dispatch(socket, fallback) ?? false;
  }

  async close(): Promise<void> {
    await this.workers?.close();
    if (this.internal.listening) {
      const closed = new Promise<void>((r) => this.internal.close(() => r()));
      this.internal.closeAllConnections();
      await closed;
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startLabServer(opts: LabServerOptions): Promise<LabServer> {
  const profile = opts.profile ?? versionProfile(undefined);
  const service = new LabSoapService(opts.model, opts.credentials, opts.instanceUuid, profile);
  const folder = {
    service,
    datacenterPath: datacenterPathOf(opts.model.inventory().datacenter),
    checkBasic: basicAuthCheck(opts.credentials),
  };
  let side: WorkerSide | undefined;
  const handler = labRequestHandler({
    folder,
    versionsXml: serviceVersionsXml(profile),
    control: opts.control,
    onFolderRequest: () => side?.start(),
    workersReady: () => side?.ready() ?? false,
    beforeReply: () => side?.revokeGrants() ?? Promise.resolve(),
  });
  const tlsServer = createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, (req, res) =>
    handler(req, res, req.socket.remoteAddress ?? "", true),
  );
  applyLabServerSettings(tlsServer);
  const count = opts.datastoreWorkers ?? 0;
  if (count > 0) side = new WorkerSide(handler, { count, tls: opts.tls, grant: (request) => folderGrant(request, folder) });
  const serveHere = (socket: Socket) => adoptConnection(tlsServer, socket);
  const front = side
    ? createNetServer({ pauseOnConnect: true }, (socket) => {
        if (!side!.dispatch(socket, serveHere)) serveHere(socket);
      })
    : tlsServer;
  try {
    await listen(front, opts.port, opts.host);
  } catch (err) {
    await side?.close();
    throw err;
  }
  return {
    host: opts.host,
    port: (front.address() as AddressInfo).port,
    service,
    async close() {
      await service.close();
      const closed = new Promise<void>((r) => front.close(() => r()));
      await side?.close();
      tlsServer.closeAllConnections();
      await closed;
    },
  };
}
