// qemu-nbd target command lines and image management (create sparse, grow). The TargetSpec union
// covers files (qcow2/raw), block devices and Ceph RBD images; the engine never sees which.
import { existsSync, statSync } from "node:fs";
import { exec } from "../../kit/exec";
import { V2kError } from "../../shared/v2k-error";
import { type PrivateDir } from "./daemon";

export type CacheMode = "none" | "writeback";

interface TargetCommon {
  /** qemu cache mode. Default: "none" (O_DIRECT) with automatic fallback to writeback where O_DIRECT is refused. */
  cache?: CacheMode;
  /** qemu-nbd --detect-zeroes=unmap. Default false: the engine finds zeros itself. */
  detectZeroes?: boolean;
  /** Connections qemu-nbd accepts at once (copy + verify). Default 4. */
  shared?: number;
  /** Serve read-only (verify): qemu-nbd --read-only takes a shared lock and never creates the image. */
  readOnly?: boolean;
}

export interface FileTargetSpec extends TargetCommon {
  kind: "file";
  path: string;
  format: "qcow2" | "raw";
  /** Create the image with this virtual size (sparse) when it does not exist. */
  createSize?: number;
}

export interface BlockTargetSpec extends TargetCommon {
  kind: "block";
  device: string;
}

export interface RbdTargetSpec extends TargetCommon {
  kind: "rbd";
  pool: string;
  image: string;
  /** ceph.conf path. */
  conf?: string;
  /** Ceph client id (without "client."). */
  user?: string;
  /** Create the image with this size when it does not exist. */
  createSize?: number;
}

export type QemuTargetSpec = FileTargetSpec | BlockTargetSpec | RbdTargetSpec;

/** qemu's filename for the target (`rbd:pool/image[:conf=...][:id=...]` for Ceph). */
export function qemuFilename(spec: QemuTargetSpec): string {
  switch (spec.kind) {
    case "file":
      return spec.path;
    case "block":
      return spec.device;
    case "rbd": {
      const esc = (s: string) => s.replace(/[:\\]/g, (c) => `\\${c}`);
      let name = `rbd:${esc(spec.pool)}/${esc(spec.image)}`;
      if (spec.conf !== undefined) name += `:conf=${esc(spec.conf)}`;
      if (spec.user !== undefined) name += `:id=${esc(spec.user)}`;
      return name;
    }
  }
}

export function qemuFormat(spec: QemuTargetSpec): "qcow2" | "raw" {
  return spec.kind === "file" ? spec.format : "raw";
}

export interface QemuNbdTuning {
  cache: CacheMode;
  aio: "io_uring" | "threads";
}

export function qemuNbdArgs(spec: QemuTargetSpec, dir: PrivateDir, tuning: QemuNbdTuning): string[] {
  const args = [
    `--socket=${dir.file("nbd.sock")}`,
    `--pid-file=${dir.file("qemu-nbd.pid")}`,
    `--format=${qemuFormat(spec)}`,
    `--cache=${tuning.cache}`,
    `--aio=${tuning.aio}`,
    spec.readOnly ? "--read-only" : "--discard=unmap",
    `--shared=${spec.shared ?? 4}`,
    "--persistent",
  ];
  if (spec.detectZeroes) args.push("--detect-zeroes=unmap");
  args.push(qemuFilename(spec));
  return args;
}

/** Ordered attempts: the fastest settings first, falling back where the host refuses them. */
export function qemuNbdTuningLadder(spec: QemuTargetSpec): QemuNbdTuning[] {
  const caches: CacheMode[] = spec.cache ? [spec.cache] : spec.kind === "rbd" ? ["writeback"] : ["none", "writeback"];
  const out: QemuNbdTuning[] = [];
  for (const cache of caches) for (const aio of ["io_uring", "threads"] as const) out.push({ cache, aio });
  return out;
}

/** Image virtual size in bytes (qemu-img info). */
export async function imageSize(spec: QemuTargetSpec): Promise<number> {
  const r = await exec("qemu-img", ["info", "--output=json", "-f", qemuFormat(spec), "-U", qemuFilename(spec)], { timeoutMs: 60_000 });
  const size = (JSON.parse(r.stdout) as { "virtual-size"?: unknown })["virtual-size"];
  if (typeof size !== "number") throw new V2kError("TARGET_IO", `cannot read the size of ${qemuFilename(spec)}`, "Check the target image.");
  return size;
}

/** Create a sparse image when asked and it does not exist yet (files and RBD). */
export async function ensureImage(spec: QemuTargetSpec): Promise<void> {
  const createSize = spec.kind !== "block" && !spec.readOnly ? spec.createSize : undefined;
  if (spec.kind === "block") {
    if (!existsSync(spec.device) || !statSync(spec.device).isBlockDevice()) {
      throw new V2kError("DST_MISSING", `${spec.device} is not a block device`, "Give an existing block device as the target.");
    }
    return;
  }
  if (spec.kind === "file") {
    if (existsSync(spec.path)) return;
    if (createSize === undefined)
      throw new V2kError("DST_MISSING", `target image ${spec.path} does not exist`, "Create it first or let the copy create it.");
    const opts = spec.format === "qcow2" ? ["-o", "preallocation=off,compat=1.1"] : [];
    await exec("qemu-img", ["create", "-q", "-f", spec.format, ...opts, spec.path, String(createSize)], { timeoutMs: 120_000 });
    return;
  }
  try {
    await imageSize(spec);
  } catch (e) {
    throwIfNoRbdSupport(e);
    if (createSize === undefined)
      throw new V2kError("DST_MISSING", `cannot open ${qemuFilename(spec)}`, "Check the pool, image name and Ceph configuration.", {
        cause: e,
        ...(e instanceof V2kError && e.detail !== undefined ? { detail: e.detail } : {}),
      });
    await exec("qemu-img", ["create", "-q", "-f", "raw", qemuFilename(spec), String(createSize)], { timeoutMs: 120_000 }).catch(
      (err: unknown) => {
        throwIfNoRbdSupport(err);
        throw err;
      },
    );
  }
}

/** qemu without its rbd module says "Unknown protocol 'rbd'": that is a missing package, not a bad image. */
function throwIfNoRbdSupport(e: unknown): void {
  const text = e instanceof V2kError ? `${e.message}\n${e.detail ?? ""}` : String(e);
  if (/Unknown protocol 'rbd'|block-rbd not found/.test(text)) {
    throw new V2kError(
      "TOOL_MISSING",
      "qemu has no Ceph RBD support on this host",
      "Install qemu-block-extra (and ceph-common), then re-run.",
      { cause: e },
    );
  }
}

/**
 * Grow a target image to `size` (the disk grew at the source). Only while no qemu-nbd serves it.
 * Block devices cannot be grown here: DST_TOO_SMALL tells the operator to grow the volume.
 */
export async function growImage(spec: QemuTargetSpec, size: number): Promise<{ grown: boolean; size: number }> {
  const current = await imageSize(spec);
  if (current >= size) return { grown: false, size: current };
  if (spec.kind === "block") {
    throw new V2kError(
      "DST_TOO_SMALL",
      `${spec.device} has ${current} bytes, the source disk needs ${size}`,
      "Grow the block device (LV/LUN) to the source size and re-run.",
    );
  }
  await exec("qemu-img", ["resize", "-q", "-f", qemuFormat(spec), qemuFilename(spec), String(size)], { timeoutMs: 120_000 });
  return { grown: true, size };
}
