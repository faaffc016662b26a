// RBD targets at init: the pool exists, holds the provisioned size of every disk, and no image of a
// target's name exists. --force removes an existing image only when ablestack-v2k created it (it carries
// a run id); an image of anyone else is refused either way. Then the images are created, marked with
// this run's id, so rollback --remove-disks and cleanup can tell ours from others.
import { V2kError } from "../../shared/v2k-error";
import { type CephCli, createImage, imageRunId, imageSize, type RbdName, removeImage, requirePool } from "../storage/rbd/index";
import { gib } from "./dst-space";

export interface RbdDiskTarget {
  key: number;
  label: string;
  capacityBytes: number;
  name: RbdName;
}

export interface RbdPrepareResult {
  replaced: string[];
}

export async function checkRbdTargets(
  cli: CephCli,
  targets: readonly RbdDiskTarget[],
  force: boolean,
): Promise<{ existing: RbdDiskTarget[] }> {
  const existing: RbdDiskTarget[] = [];
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
  }
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
        "Re-run with --force to overwrite it, or choose another name with --target-map-json.",
      );
    }
    existing.push(t);
  }
  return { existing };
}

/** Check, then (re)create every image thin and marked with the run id. */
export async function prepareRbdTargets(
  cli: CephCli,
  targets: readonly RbdDiskTarget[],
  runId: string,
  force: boolean,
): Promise<RbdPrepareResult> {
  const { existing } = await checkRbdTargets(cli, targets, force);
  for (const t of existing) await removeImage(cli, t.name.pool, t.name.image);
  for (const t of targets) await createImage(cli, t.name.pool, t.name.image, t.capacityBytes, runId);
  return { replaced: existing.map((t) => `${t.name.pool}/${t.name.image}`) };
}
