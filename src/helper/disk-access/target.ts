// The target of a manifest disk, one answer for every step: sync writes it, verify reads it, the boot
// check backs its overlays with it, cleanup finds the qemu-nbd left serving it. A file (qcow2/raw), a
// block device or a Ceph RBD image (conf and cephx id from the manifest) all become one QemuTargetSpec.
import { existsSync, rmSync } from "node:fs";
import { type Disk, type Manifest } from "../../shared/manifest";
import { RBD_TUNING_DEFAULTS } from "../../shared/requests/commands";
import {
  growImage,
  isImageInUse,
  openTarget,
  openTargetReadOnly,
  qemuFilename,
  qemuFormat,
  type OpenOptions,
  type QemuTargetSpec,
  type SourceHandle,
  type TargetHandle,
} from "../endpoints/index";
import { CephCli, cephAccessOf, ensureRunImage, parseRbdPath, rbdTargetSpec, removeOwnImage } from "../storage/rbd/index";
import { stopImageServers } from "./leftovers";

export type TargetDisk = Pick<Disk, "key" | "target">;
export type TargetManifest = Pick<Manifest, "target">;
/** RBD images we create carry the run id (cleanup and rollback remove only those). */
export type RunManifest = Pick<Manifest, "target" | "runId">;

/**
 * Requests in flight and bytes per request for copies into this disk's target: what the admin gave, else
 * the target kind's defaults (Ceph RBD wants more, smaller requests), else the engine's own (undefined).
 */
export function copyTuningFor(
  d: TargetDisk,
  given: { jobs?: number | undefined; chunkSize?: number | undefined },
): { requests?: number; chunkSize?: number } {
  const kind: { requests?: number; chunkSize?: number } = d.target.mode === "rbd" ? RBD_TUNING_DEFAULTS : {};
  const requests = given.jobs ?? kind.requests;
  const chunkSize = given.chunkSize ?? kind.chunkSize;
  return { ...(requests !== undefined ? { requests } : {}), ...(chunkSize !== undefined ? { chunkSize } : {}) };
}

/** The qemu spec of a disk's target; `createSize` lets a writable open create a missing file or image. */
export function targetSpecOf(d: TargetDisk, m: TargetManifest, o: { createSize?: number } = {}): QemuTargetSpec {
  const create = o.createSize !== undefined ? { createSize: o.createSize } : {};
  if (d.target.mode === "block") return { kind: "block", device: d.target.path };
  if (d.target.mode === "rbd") return { ...rbdTargetSpec(d, m), ...create };
  return { kind: "file", path: d.target.path, format: d.target.format, ...create };
}

/** What qemu calls the target (a path, a device, or `rbd:pool/image:conf=..:id=..`). */
export function qemuFilenameOf(d: TargetDisk, m: TargetManifest): string {
  return qemuFilename(targetSpecOf(d, m));
}

/** The format qemu reads the target with (qcow2 or raw; block devices and RBD images are raw). */
export function qemuFormatOf(d: TargetDisk, m: TargetManifest): "qcow2" | "raw" {
  return qemuFormat(targetSpecOf(d, m));
}

/**
 * Whether a target about to get its first copy reads as zeros: a file that does not exist yet, or an
 * RBD image holding no data (created here, marked with the run id, when missing). A block device, or
 * a file left by an interrupted copy, may hold anything.
 */
export async function targetReadsAsZeros(d: TargetDisk, m: RunManifest, size: number): Promise<boolean> {
  if (d.target.mode === "block") return false;
  if (d.target.mode === "file") return !existsSync(d.target.path);
  return (await ensureRbdImage(d, m, size)).empty;
}

/** An RBD target exists (created and marked with our run id when missing); says whether it holds data. */
async function ensureRbdImage(d: TargetDisk, m: RunManifest, size: number): Promise<{ empty: boolean }> {
  const spec = rbdTargetSpec(d, m);
  return ensureRunImage(new CephCli(cephAccessOf(m)), spec.pool, spec.image, size, m.runId);
}

/** Stop a qemu-nbd still serving this disk's target (a helper killed with -9 cannot): it holds the image lock. */
export async function sweepTargetLeftovers(d: TargetDisk, m: TargetManifest): Promise<number[]> {
  return stopImageServers(qemuFilenameOf(d, m));
}

export interface WritableOpen {
  readOnly?: false;
  /** The source disk's size: a missing target is created with it, a smaller one grown to it. */
  size: number;
}

export interface ReadOnlyOpen {
  readOnly: true;
}

/**
 * Serve a disk's target through qemu-nbd (the endpoints' start ladder and error mapping). Writable:
 * created at `size` when missing, grown to it when smaller. Read-only: a BlockSource, never created,
 * so verify reads exactly what the guest will see.
 */
export async function openDiskTarget(d: TargetDisk, m: RunManifest, o: WritableOpen): Promise<TargetHandle>;
export async function openDiskTarget(d: TargetDisk, m: RunManifest, o: ReadOnlyOpen): Promise<SourceHandle>;
export async function openDiskTarget(d: TargetDisk, m: RunManifest, o: WritableOpen | ReadOnlyOpen): Promise<TargetHandle | SourceHandle> {
  const options: OpenOptions = { disk: `disk ${d.key}` };
  // verify reads every block once: the page cache costs nothing there, O_DIRECT can be refused
  if (o.readOnly) {
    // a reader's shared lock never refuses another reader: a killed verify's qemu-nbd is only found by looking
    await sweepTargetLeftovers(d, m);
    return afterLeftovers(d, m, () => openTargetReadOnly({ ...targetSpecOf(d, m), cache: "writeback" }, options));
  }
  const spec = targetSpecOf(d, m, { createSize: o.size });
  if (d.target.mode === "rbd") await ensureRbdImage(d, m, o.size);
  const handle = await afterLeftovers(d, m, () => openTarget(spec, options));
  if (handle.size >= o.size) return handle;
  // the source disk grew (rare): grow the image while no qemu-nbd serves it, then serve it again
  await handle.close();
  await growImage(spec, o.size);
  return openTarget(spec, options);
}

/**
 * A qemu-nbd left serving the target (a helper killed with -9 cannot stop it) holds the image's lock.
 * Writable file and block opens learn of it from qemu's refused lock, and only then look through /proc and
 * stop it; an RBD image has no such lock, so its leftovers are swept before every open (read-only opens too).
 */
async function afterLeftovers<T>(d: TargetDisk, m: TargetManifest, open: () => Promise<T>): Promise<T> {
  if (d.target.mode === "rbd") await sweepTargetLeftovers(d, m);
  try {
    return await open();
  } catch (e) {
    if (d.target.mode === "rbd" || !isImageInUse(e)) throw e;
    if ((await sweepTargetLeftovers(d, m)).length === 0) throw e;
    return open();
  }
}

/**
 * Remove a disk's target when this run made it (cleanup --delete-target, rollback --remove-disks): a
 * file is removed, an RBD image only when it carries our run id ("foreign" otherwise), a block device
 * never ("kept"); "absent" when there was nothing to remove.
 */
export async function removeRunTarget(d: TargetDisk, m: RunManifest): Promise<"removed" | "absent" | "foreign" | "kept"> {
  if (d.target.mode === "block") return "kept";
  if (d.target.mode === "file") {
    if (!existsSync(d.target.path)) return "absent";
    rmSync(d.target.path, { force: true });
    return "removed";
  }
  const n = parseRbdPath(d.target.path);
  const r = await removeOwnImage(new CephCli(cephAccessOf(m)), n.pool, n.image, m.runId);
  return r === "removed" ? "removed" : r === "foreign" ? "foreign" : "absent";
}
