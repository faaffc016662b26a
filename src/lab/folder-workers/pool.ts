// The lab process's datastore workers. Node's TLS costs more CPU per GB served than one process has to
// give at 600 MB/s, so /folder reads are spread over processes. The lab process accepts every
// connection itself (paused, before any TLS byte) and hands it to the next worker with fork()'s handle
// passing: node:cluster would do the same but re-runs the whole CLI in each worker and owns the listen
// (port 0, EADDRINUSE) in ways the lab's start-up reports itself. A worker serves /folder reads of data
// files and forwards everything else back here (./proxy.ts); while no worker is ready, or none is left,
// the lab process serves a connection itself. Workers start with the first /folder request, so labs
// that only ever answer SOAP pay nothing for them.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { type Socket } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FolderGrant, type FolderGrantRequest, type FromWorker, type ToWorker } from "./protocol";

export interface DatastoreWorkersOptions {
  count: number;
  tls: { key: string; cert: string };
  /** The lab process's Unix socket that workers forward requests to. */
  primarySocket: string;
  grant(request: FolderGrantRequest): FolderGrant;
}

interface Worker {
  child: ChildProcess;
  ready: boolean;
  /** Connections handed over and not yet accepted, with where each goes if the worker dies first. */
  handing: Map<number, { socket: Socket; fallback: (socket: Socket) => void }>;
  /** Revocations sent and not yet answered. */
  revoking: Map<number, () => void>;
}

const STOP_GRACE_MS = 5000;
/** Last guard: a worker that does not answer a revocation in time no longer holds replies up (logged). */
const REVOKE_DEADLINE_MS = 5000;

/** dist/helper/lab/datastore-worker.mjs (bundle) or worker-main.ts beside this module (tsx). */
export function datastoreWorkerEntry(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, "worker-main.ts"), join(here, "lab", "datastore-worker.mjs")].find((p) => existsSync(p));
}

export class DatastoreWorkers {
  private readonly workers: Worker[] = [];
  private next = 0;
  private nextConnection = 1;
  private nextRevocation = 1;
  private started = false;
  private closing = false;
  /** A data file grant went out since the last revocation: some worker may keep it. */
  private granted = false;
  private revocation: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DatastoreWorkersOptions) {}

  /** Forks the workers once; they take connections as soon as each says it is ready. */
  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    const entry = datastoreWorkerEntry();
    if (!entry) {
      process.stderr.write("lab: the datastore worker is missing beside the helper; the lab process serves every read\n");
      return;
    }
    for (let i = 0; i < this.opts.count; i++) this.spawn(entry);
  }

  private spawn(entry: string): void {
    // stdout ignored (a worker prints nothing), stderr shared with the lab's log
    const child = fork(entry, [], { execArgv: process.execArgv, stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const w: Worker = { child, ready: false, handing: new Map(), revoking: new Map() };
    this.workers.push(w);
    child.on("message", (m: FromWorker) => {
      if (m.type === "ready") w.ready = true;
      else if (m.type === "accepted") this.accepted(w, m.id);
      else if (m.type === "grant") this.answer(w, m.id, m.request);
      else if (m.type === "revoked") this.revoked(w, m.id);
    });
    child.on("error", () => undefined);
    child.on("exit", (code, signal) => {
      this.workers.splice(this.workers.indexOf(w), 1);
      // a connection it never received would stay paused here, its client waiting forever: serve it here
      for (const { socket, fallback } of w.handing.values()) if (!socket.destroyed) fallback(socket);
      w.handing.clear();
      for (const done of w.revoking.values()) done(); // its kept grants are gone with it
      w.revoking.clear();
      if (!this.closing) process.stderr.write(`lab: datastore worker ${child.pid} exited (${signal ?? code}); the others serve\n`);
    });
    this.post(w, { type: "config", tls: this.opts.tls, primarySocket: this.opts.primarySocket });
  }

  private answer(w: Worker, id: number, request: FolderGrantRequest): void {
    let grant: FolderGrant;
    try {
      grant = this.opts.grant(request);
    } catch (err) {
      process.stderr.write(`lab: folder grant: ${err instanceof Error ? err.message : String(err)}\n`);
      grant = { kind: "reply", status: 500, text: "Internal error\n", headers: {} };
    }
    if (grant.kind === "file") this.granted = true;
    this.post(w, { type: "grant", id, grant });
  }

  /**
   * Resolves once no worker keeps a data file grant given before this call. The lab process awaits it
   * before each SOAP and control reply: what a reply tells (a snapshot removed, a fault armed, a session
   * expired) then holds for every read that follows it. Free while no file grant went out since the last one.
   */
  revokeGrants(): Promise<void> {
    if (!this.granted) return this.revocation;
    this.granted = false;
    const id = this.nextRevocation++;
    // a later revocation is answered after an earlier one (one channel per worker, in order)
    this.revocation = Promise.all(this.workers.filter((w) => w.child.connected).map((w) => this.revokeIn(w, id))).then(() => undefined);
    return this.revocation;
  }

  private revokeIn(w: Worker, id: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        process.stderr.write(`lab: datastore worker ${w.child.pid} did not answer a grant revocation within ${REVOKE_DEADLINE_MS} ms\n`);
        done();
      }, REVOKE_DEADLINE_MS);
      const done = () => {
        clearTimeout(timer);
        w.revoking.delete(id);
        resolve();
      };
      w.revoking.set(id, done);
      this.post(w, { type: "revoke", id });
    });
  }

  private revoked(w: Worker, id: number): void {
    w.revoking.get(id)?.();
  }

  private post(w: Worker, m: ToWorker): void {
    if (w.child.connected) w.child.send(m, (err) => err && undefined);
  }

  /** Some worker takes connections. */
  ready(): boolean {
    return this.workers.some((w) => w.ready && w.child.connected);
  }

  /** Hands an accepted (paused) connection to the next ready worker; false when none is ready. */
  dispatch(socket: Socket, fallback: (socket: Socket) => void): boolean {
    const ready = this.workers.filter((w) => w.ready && w.child.connected);
    if (ready.length === 0) return false;
    const w = ready[this.next++ % ready.length]!;
    // keepOpen: this process holds the connection until the worker says it has it. Without it, Node closes
    // its copy only on the worker's NODE_HANDLE_ACK; a worker killed before that left the connection open
    // here, detached from any socket object, and its client waiting in silence.
    const id = this.nextConnection++;
    w.handing.set(id, { socket, fallback });
    w.child.send({ type: "connection", id } satisfies ToWorker, socket, { keepOpen: true }, (err) => {
      if (!err || !w.handing.delete(id)) return;
      if (!socket.destroyed) fallback(socket);
    });
    return true;
  }

  /** The worker holds the connection: this process's copy closes (the connection itself stays open). */
  private accepted(w: Worker, id: number): void {
    w.handing.get(id)?.socket.destroy();
    w.handing.delete(id);
  }

  /** Disconnects every worker (they close their connections and exit); SIGKILL after a grace period. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => w.child.kill("SIGKILL"), STOP_GRACE_MS);
            w.child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            if (w.child.connected) w.child.disconnect();
            else w.child.kill("SIGTERM");
          }),
      ),
    );
  }
}
