// Opening endpoints: start the server (nbdkit or qemu-nbd) in a private directory, connect our NBD
// client, and return one handle whose close() tears everything down. Callers close in `finally`.
import { existsSync, rmSync } from "node:fs";
import { V2kError } from "../../shared/v2k-error";
import { type NbdConnectOptions } from "../nbd/index";
import { parseNbdUri, unixNbdUri } from "../nbd/uri";
import { ManagedDaemon, PrivateDir } from "./daemon";
import { NbdSource, NbdTarget } from "./nbd-endpoints";
import { curlArgs, fileArgs, requireNbdkitPlugin, vddkArgs, type FileSourceSpec, type HttpSourceSpec, type VddkSourceSpec } from "./nbdkit";
import { ensureImage, qemuFilename, qemuNbdArgs, qemuNbdTuningLadder, type QemuTargetSpec } from "./qemu-nbd";

/** An NBD server someone else runs (the copy command, benchmarks). */
export interface NbdUriSpec {
  kind: "nbd";
  uri: string;
}

export type SourceSpec = HttpSourceSpec | VddkSourceSpec | FileSourceSpec | NbdUriSpec;
export type TargetSpec = QemuTargetSpec | NbdUriSpec;

export interface OpenOptions {
  /** Disk label for messages, e.g. "disk 2000". */
  disk?: string;
  /** Start-up deadline of the server. Default 30 s. */
  readyTimeoutMs?: number;
}

export interface SourceHandle {
  source: NbdSource;
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
  return spec.kind === "nbd" ? spec.uri : `qemu-nbd ${spec.kind === "file" ? spec.format : spec.kind} ${qemuFilename(spec)}`;
}

async function serveSource(spec: SourceSpec, options: OpenOptions): Promise<Served> {
  if (spec.kind === "nbd") return { connect: parseNbdUri(spec.uri), uri: spec.uri, daemon: undefined, dir: undefined };
  if (spec.kind === "vddk") await requireNbdkitPlugin("vddk");
  const dir = new PrivateDir();
  try {
    const args = spec.kind === "http" ? curlArgs(spec, dir) : spec.kind === "vddk" ? vddkArgs(spec, dir) : fileArgs(spec, dir);
    const daemon = await ManagedDaemon.start({ name: "nbdkit", file: "nbdkit", args, pidFile: dir.file("nbdkit.pid"), readyTimeoutMs: options.readyTimeoutMs ?? 30_000 });
    // nbdkit read the secrets at start-up: they leave the disk now.
    for (const f of ["cookie", "password"]) if (existsSync(dir.file(f))) rmSync(dir.file(f));
    const socket = dir.file("nbd.sock");
    return { connect: { socket }, uri: unixNbdUri(socket), daemon, dir };
  } catch (e) {
    dir.remove();
    throw e;
  }
}

async function serveTarget(spec: TargetSpec, options: OpenOptions): Promise<Served> {
  if (spec.kind === "nbd") return { connect: parseNbdUri(spec.uri), uri: spec.uri, daemon: undefined, dir: undefined };
  await ensureImage(spec);
  const dir = new PrivateDir();
  try {
    let last: V2kError | undefined;
    for (const tuning of qemuNbdTuningLadder(spec)) {
      try {
        const daemon = await ManagedDaemon.start({ name: "qemu-nbd", file: "qemu-nbd", args: qemuNbdArgs(spec, dir, tuning), pidFile: dir.file("qemu-nbd.pid"), readyTimeoutMs: options.readyTimeoutMs ?? 30_000 });
        const socket = dir.file("nbd.sock");
        return { connect: { socket }, uri: unixNbdUri(socket), daemon, dir };
      } catch (e) {
        // Only a start-up refusal (O_DIRECT or io_uring unsupported here) moves down the ladder.
        if (!(e instanceof V2kError) || e.code !== "PROCESS_FAILED") throw e;
        last = e;
      }
    }
    throw last ?? new V2kError("INTERNAL", "no qemu-nbd settings to try", "This is a bug.");
  } catch (e) {
    dir.remove();
    throw e;
  }
}

/** Start the source server and connect; read-only. */
export async function openSource(spec: SourceSpec, options: OpenOptions = {}): Promise<SourceHandle> {
  const served = await serveSource(spec, options);
  const label = sourceLabel(spec);
  try {
    const source = await NbdSource.connect(served.connect, { label, ...(options.disk !== undefined ? { disk: options.disk } : {}) });
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
    await teardown(served);
    throw e instanceof V2kError && served.daemon && !served.daemon.running ? served.daemon.failure(`${label} stopped`) : e;
  }
}

/** Create the image when asked, start qemu-nbd and connect. */
export async function openTarget(spec: TargetSpec, options: OpenOptions = {}): Promise<TargetHandle> {
  const served = await serveTarget(spec, options);
  const label = targetLabel(spec);
  try {
    const target = await NbdTarget.connect(served.connect, { label, ...(options.disk !== undefined ? { disk: options.disk } : {}) });
    return {
      target,
      size: target.size,
      uri: served.uri,
      async close() {
        try {
          await target.close();
        } finally {
          await teardown(served);
        }
      },
    };
  } catch (e) {
    await teardown(served);
    throw e;
  }
}
