// RBD targets, planned and checked for init and preflight alike: an image name per disk (the target map,
// else <vm>-disk<N> in the pool); the pool exists and holds the provisioned size of every disk; no image
// of a target's name exists. --force (init) removes an existing image only when ablestack-v2k created it
// (it carries a run id); an image of anyone else is refused either way. Init then creates the images,
// marked with its run id, so rollback --remove-disks and cleanup can tell ours from others.
import { resolve } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import {
  type CephAccess,
  type CephCli,
  createImage,
  DEFAULT_CEPH_CONF,
  DEFAULT_CEPH_ID,
  defaultImageName,
  diskSlot,
  imageRunId,
  imageSize,
  parseTargetMap,
  type PoolSpace,
  type RbdName,
  removeImage,
  requirePool,
} from "../storage/rbd/index";
import { type InventoryResult } from "../vsphere/replies";
import { gib } from "./dst-space";

export interface RbdDiskTarget {
  key: number;
  label: string;
  capacityBytes: number;
  name: RbdName;
}

export interface RbdTargetRequest {
  rbdPool?: string | undefined;
  /** ceph.conf (monitors, keyring); default /etc/ceph/ceph.conf. */
  cephConf?: string | undefined;
  /** Ceph client id without "client."; default admin. */
  cephId?: string | undefined;
  /** Images per disk, '{"scsi0:0":"rbd:pool/img"}'. */
  targetMapJson?: string | undefined;
}

export interface RbdPrepareResult {
  replaced: string[];
}

/** The image of every disk: the target map's, else <vm>-disk<N> in --rbd-pool (USAGE when a disk has none). */
export function planRbdTargets(r: RbdTargetRequest, inv: Pick<InventoryResult, "name" | "disks" | "controllers">): RbdDiskTarget[] {
  const disks = inv.disks.map((d, index) => {
    const c = inv.controllers.find((x) => x.key === d.controllerKey);
    return {
      key: d.key,
      index,
      slot: diskSlot(c?.type ?? "scsi", c?.busNumber ?? 0, d.unitNumber),
      label: d.label,
      capacityBytes: d.capacityBytes,
    };
  });
  const mapped = r.targetMapJson !== undefined ? parseTargetMap(r.targetMapJson, disks) : new Map<number, RbdName>();
  return disks.map((d) => {
    const name =
      mapped.get(d.key) ?? (r.rbdPool !== undefined ? { pool: r.rbdPool, image: defaultImageName(inv.name, d.index) } : undefined);
    if (!name)
      throw new V2kError(
        "USAGE",
        `no RBD image for ${d.label} (${d.slot})`,
        "Add it to --target-map-json or give --rbd-pool for the rest.",
      );
    return { key: d.key, label: d.label, capacityBytes: d.capacityBytes, name };
  });
}

/** The conf (absolute) and client id the request names, with the defaults. */
export function cephAccessFor(r: RbdTargetRequest): CephAccess {
  return { conf: resolve(r.cephConf ?? DEFAULT_CEPH_CONF), id: r.cephId ?? DEFAULT_CEPH_ID };
}

/** Every target pool exists and its MAX AVAIL holds the disks planned in it (RBD_POOL_MISSING, DST_TOO_SMALL). */
export async function checkPoolSpace(cli: CephCli, targets: readonly RbdDiskTarget[]): Promise<(PoolSpace & { neededBytes: number })[]> {
  const out: (PoolSpace & { neededBytes: number })[] = [];
  for (const pool of new Set(targets.map((t) => t.name.pool))) {
    const space = await requirePool(cli, pool);
    const needed = targets.filter((t) => t.name.pool === pool).reduce((s, t) => s + t.capacityBytes, 0);
    if (space.maxAvailBytes < needed) {
      throw new V2kError(
        "DST_TOO_SMALL",
        `pool '${pool}' can take ${gib(space.maxAvailBytes)}, the VM's disks need ${gib(needed)}`,
        "Free space in the pool or choose another --rbd-pool (thin images are counted at full size to be safe).",
      );
    }
    out.push({ ...space, neededBytes: needed });
  }
  return out;
}

/** Targets whose image exists: refused (RBD_IMAGE_EXISTS) unless ours and forced; returns the ones to replace. */
export async function checkNoImages(cli: CephCli, targets: readonly RbdDiskTarget[], force: boolean): Promise<RbdDiskTarget[]> {
  const existing: RbdDiskTarget[] = [];
  for (const t of targets) {
    if ((await imageSize(cli, t.name.pool, t.name.image)) === null) continue;
    const owner = await imageRunId(cli, t.name.pool, t.name.image);
    const where = `${t.name.pool}/${t.name.image}`;
    if (owner === null) {
      throw new V2kError(
        "RBD_IMAGE_EXISTS",
        `the image ${where} exists and was not created by ablestack-v2k`,
        "Choose another name (--target-map-json) or remove it yourself if it is not needed; --force never touches it.",
      );
    }
    if (!force) {
      throw new V2kError(
        "RBD_IMAGE_EXISTS",
        `the image ${where} exists (left by ablestack-v2k run ${owner})`,
        "Re-run init with --force to overwrite it, or choose another name with --target-map-json.",
      );
    }
    existing.push(t);
  }
  return existing;
}

/** Check, then (re)create every image thin and marked with the run id. */
export async function prepareRbdTargets(
  cli: CephCli,
  targets: readonly RbdDiskTarget[],
  runId: string,
  force: boolean,
): Promise<RbdPrepareResult> {
  await checkPoolSpace(cli, targets);
  const existing = await checkNoImages(cli, targets, force);
  for (const t of existing) await removeImage(cli, t.name.pool, t.name.image);
  for (const t of targets) await createImage(cli, t.name.pool, t.name.image, t.capacityBytes, runId);
  return { replaced: existing.map((t) => `${t.name.pool}/${t.name.image}`) };
}
