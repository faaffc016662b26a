// Opening endpoints: start the server (nbdkit or qemu-nbd) in a private directory, connect our NBD
// client, and return one handle whose close() tears everything down. Callers close in `finally`.
import { existsSync, rmSync } from "node:fs";
import { V2kError } from "../../shared/v2k-error";
import { type NbdConnectOptions } from "../nbd/index";
import { parseNbdUri, unixNbdUri } from "../nbd/uri";
import { ManagedDaemon, PrivateDir, sweepStalePrivateDirs } from "./daemon";
import { NbdSource, NbdTarget, type NbdEndpointOptions } from "./nbd-endpoints";
import { PooledSource } from "./pool";
import { type BlockSource } from "./types";
import { curlArgs, fileArgs, requireNbdkitPlugin, vddkArgs, type FileSourceSpec, type HttpSourceSpec, type VddkSourceSpec } from "./nbdkit";
import { diagnoseSourceLog } from "./source-diagnosis";
import { ensureImage, qemuFilename, qemuNbdArgs, qemuNbdTuningLadder, type QemuTargetSpec } from "./qemu-nbd";

/** An NBD server someone else runs (the copy command, benchmarks). */
export interface NbdUriSpec {
  kind: "nbd";
  uri: string;
}

export type SourceSpec = HttpSourceSpec | VddkSourceSpec | FileSourceSpec | NbdUriSpec;
export type TargetSpec = QemuTargetSpec | NbdUriSpec;

/** NBD connections an http source opens by default: nbdkit's curl plugin serves one request at a time per connection. */
export const HTTP_SOURCE_CONNECTIONS = 4;

export interface OpenOptions {
  /** Disk label for messages, e.g. "disk 2000". */
  disk?: string;
  /**
   * NBD connections to the source, used round-robin. Default: HTTP_SOURCE_CONNECTIONS for http,
   * 1 otherwise (VDDK slows down with more).
   */
  connections?: number;
  /** Start-up deadline of the server. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface SourceHandle {
  source: BlockSource;
  size: number;
  /** Where other clients (nbdcopy, verify) can connect while the handle is open. */
  uri: string;
  close(): Promise<void>;
}

export interface TargetHandle {
  target: NbdTarget;
  size: number;
  uri: string;
  close(): Promise<void>;
}

interface Served {
  connect: NbdConnectOptions;
  uri: string;
  daemon: ManagedDaemon | undefined;
  dir: PrivateDir | undefined;
}

async function teardown(s: Served): Promise<void> {
  try {
    await s.daemon?.stop();
  } finally {
    s.dir?.remove();
  }
}

function sourceLabel(spec: SourceSpec): string {
  switch (spec.kind) {
    case "http":
      return `nbdkit curl ${spec.url.replace(/\?.*$/, "")}`;
    case "vddk":
      return `nbdkit vddk ${spec.server} ${spec.file}`;
    case "file":
      return `nbdkit file ${spec.path}`;
    case "nbd":
      return spec.uri;
  }
}

function targetLabel(spec: TargetSpec): string {
  if (spec.kind === "nbd") return spec.uri;
  return `qemu-nbd ${spec.readOnly ? "(read-only) " : ""}${spec.kind === "file" ? spec.format : spec.kind} ${qemuFilename(spec)}`;
}

async function serveSource(spec: SourceSpec, options: OpenOptions): Promise<Served> {
  sweepStalePrivateDirs();
  if (spec.kind === "nbd") return { connect: parseNbdUri(spec.uri), uri: spec.uri, daemon: undefined, dir: undefined };
  if (spec.kind === "vddk") await requireNbdkitPlugin("vddk");
  const dir = new PrivateDir();
  try {
    const args = spec.kind === "http" ? curlArgs(spec, dir) : spec.kind === "vddk" ? vddkArgs(spec, dir) : fileArgs(spec, dir);
    const daemon = await ManagedDaemon.start({
      name: "nbdkit",
      file: "nbdkit",
      args,
      pidFile: dir.file("nbdkit.pid"),
      readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    });
    // nbdkit read the secrets at start-up: they leave the disk now.
    for (const f of ["cookie", "password"]) if (existsSync(dir.file(f))) rmSync(dir.file(f));
    const socket = dir.file("nbd.sock");
    return { connect: { socket }, uri: unixNbdUri(socket), daemon, dir };
  } catch (e) {
    dir.remove();
    throw e;
  }
}

/** qemu's words when another process holds the image's lock. */
const LOCK_REFUSED = /get .*lock|is another process using the image/i;
const IN_USE = "is in use by another process";

/** The target could not be served because another process (a leftover qemu-nbd, a running VM) holds its lock. */
export function isImageInUse(e: unknown): boolean {
  return e instanceof V2kError && e.code === "TARGET_IO" && e.message.endsWith(IN_USE) && LOCK_REFUSED.test(e.detail ?? "");
}

async function serveTarget(spec: TargetSpec, options: OpenOptions): Promise<Served> {
  if (spec.kind === "nbd") return { connect: parseNbdUri(spec.uri), uri: spec.uri, daemon: undefined, dir: undefined };
  await ensureImage(spec);
  sweepStalePrivateDirs();
  const dir = new PrivateDir();
  try {
    let last: V2kError | undefined;
    for (const tuning of qemuNbdTuningLadder(spec)) {
      try {
        const daemon = await ManagedDaemon.start({
          name: "qemu-nbd",
          file: "qemu-nbd",
          args: qemuNbdArgs(spec, dir, tuning),
          pidFile: dir.file("qemu-nbd.pid"),
          readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
        });
        const socket = dir.file("nbd.sock");
        return { connect: { socket }, uri: unixNbdUri(socket), daemon, dir };
      } catch (e) {
        if (!(e instanceof V2kError) || e.code !== "PROCESS_FAILED") throw e;
        const log = e.detail ?? "";
        if (LOCK_REFUSED.test(log)) {
          throw new V2kError(
            "TARGET_IO",
            `${targetLabel(spec)} ${IN_USE}`,
            "A leftover qemu-nbd or a running VM holds the image; run 'ablestack_v2k cleanup' or stop that process, then re-run.",
            { detail: log, cause: e },
          );
        }
        if (/No such file|Could not open/i.test(log) && !/O_DIRECT|io_uring|aio|Invalid argument/i.test(log)) {
          throw new V2kError("DST_MISSING", `cannot open ${targetLabel(spec)}`, "Check the target path/device/pool.", {
            detail: log,
            cause: e,
          });
        }
        // Otherwise assume the host refused these settings (O_DIRECT, io_uring): try the next ones.
        last = e;
      }
    }
    throw last ?? new V2kError("INTERNAL", "no qemu-nbd settings to try", "This is a bug.");
  } catch (e) {
    dir.remove();
    throw e;
  }
}

function endpointOptions(label: string, options: OpenOptions, served: Served, role: "source" | "target"): NbdEndpointOptions {
  const daemon = served.daemon;
  const out: NbdEndpointOptions = { label, ...(options.disk !== undefined ? { disk: options.disk } : {}) };
  if (!daemon) return out;
  out.serverLog = () => daemon.stderr;
  if (role === "source") {
    // Mid-copy failures too: only the recent log counts (earlier, recovered errors do not).
    out.explain = (e) => {
      const d = e.code === "NBD_SOURCE_FAILED" ? diagnoseSourceLog(daemon.stderr.slice(-4096)) : undefined;
      return d && d.code !== "NBD_SOURCE_FAILED"
        ? new V2kError(d.code, `${e.message}: ${d.what}`, d.hint, { ...(e.detail !== undefined ? { detail: e.detail } : {}), cause: e })
        : e;
    };
  }
  return out;
}

/**
 * nbdkit opens the remote side when we connect, so a refused session or an untrusted certificate
 * shows up as a failed handshake; its log says which, and that decides the code.
 */
async function explainSourceFailure(e: unknown, daemon: ManagedDaemon, label: string): Promise<unknown> {
  await new Promise((r) => setTimeout(r, 100)); // let the last stderr lines arrive
  const d = diagnoseSourceLog(daemon.stderr);
  if (d) return daemon.failure(`${label}: ${d.what}`, d.code, d.hint);
  if (!daemon.running || daemon.stderr.trim() !== "")
    return daemon.failure(`${label} failed`, "NBD_SOURCE_FAILED", "See the detail for the nbdkit output.");
  return e;
}

/** Start the source server and connect; read-only. */
export async function openSource(spec: SourceSpec, options: OpenOptions = {}): Promise<SourceHandle> {
  const served = await serveSource(spec, options);
  const label = sourceLabel(spec);
  const members: NbdSource[] = [];
  try {
    const connections = Math.max(1, options.connections ?? (spec.kind === "http" ? HTTP_SOURCE_CONNECTIONS : 1));
    // Side by side: each connection makes nbdkit-curl open its own TLS connection and HEAD request.
    // Extents come from the first connection only; the others skip the meta context.
    const opened = await Promise.allSettled(
      Array.from({ length: connections }, (_, i) =>
        NbdSource.connect({ ...served.connect, wantExtents: i === 0 }, endpointOptions(label, options, served, "source")),
      ),
    );
    for (const o of opened) if (o.status === "fulfilled") members.push(o.value);
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
    const source: BlockSource = members.length === 1 ? members[0]! : new PooledSource(members);
    return {
      source,
      size: source.size,
      uri: served.uri,
      async close() {
        try {
          await source.close();
        } finally {
          await teardown(served);
        }
      },
    };
  } catch (e) {
    for (const m of members) m.client.destroy();
    const err = served.daemon ? await explainSourceFailure(e, served.daemon, label) : e;
    await teardown(served);
    throw err;
  }
}

/** A handle's common part: the client's size, the server's uri, and close() that also stops the server. */
interface Connected<E> {
  endpoint: E;
  size: number;
  uri: string;
  close(): Promise<void>;
}

/** Connect one client to a served target; a failed connect, or the handle's close(), tears the server down. */
async function connectServed<E extends { size: number; close(): Promise<void> }>(
  served: Served,
  connect: (c: NbdConnectOptions) => Promise<E>,
): Promise<Connected<E>> {
  let endpoint: E;
  try {
    endpoint = await connect(served.connect);
  } catch (e) {
    await teardown(served);
    throw e;
  }
  return {
    endpoint,
    size: endpoint.size,
    uri: served.uri,
    async close() {
      try {
        await endpoint.close();
      } finally {
        await teardown(served);
      }
    },
  };
}

/**
 * A target read as a source (verify reads exactly what the KVM guest will see): qemu-nbd --read-only
 * with the same start ladder and error mapping as a writable target; the image is never created.
 */
export async function openTargetReadOnly(spec: QemuTargetSpec, options: OpenOptions = {}): Promise<SourceHandle> {
  const ro: QemuTargetSpec = { ...spec, readOnly: true };
  const served = await serveTarget(ro, options);
  const { endpoint, ...handle } = await connectServed(served, (c) =>
    NbdSource.connect(c, endpointOptions(targetLabel(ro), options, served, "target")),
  );
  return { source: endpoint, ...handle };
}

/** Create the image when asked, start qemu-nbd and connect. */
export async function openTarget(spec: TargetSpec, options: OpenOptions = {}): Promise<TargetHandle> {
  const served = await serveTarget(spec, options);
  const { endpoint, ...handle } = await connectServed(served, (c) =>
    NbdTarget.connect(c, endpointOptions(targetLabel(spec), options, served, "target")),
  );
  return { target: endpoint, ...handle };
}
