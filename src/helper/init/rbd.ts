// RBD targets at init: the planned image per disk (the preflight's plan), the checks on the cluster,
// images created and marked with the run id.
import { cephAccessFor, planRbdTargets, prepareRbdTargets, type RbdTargetRequest } from "../preflight/rbd-targets";
import { CephCli, rbdPath } from "../storage/rbd/index";
import { type InventoryResult } from "../vsphere/replies";

export interface RbdInitRequest extends RbdTargetRequest {
  vm: string;
  /** Replace images of these names left by an earlier ablestack-v2k run (never others). */
  force: boolean;
}

/** RBD targets: names per disk, preflight on the cluster, images created and marked with the run id. */
export async function rbdTargets(r: RbdInitRequest, inv: InventoryResult, runId: string, warn: (msg: string) => void) {
  const targets = planRbdTargets(r, inv);
  const access = cephAccessFor(r);
  const cli = new CephCli(access);
  const { replaced } = await prepareRbdTargets(cli, targets, runId, r.force);
  for (const x of replaced) warn(`--force: replaced ${x}, left by an earlier ablestack-v2k run`);
  return {
    images: new Map(targets.map((t) => [t.key, rbdPath(t.name)])),
    conf: access.conf,
    id: access.id,
    pool: r.rbdPool ?? targets[0]!.name.pool,
  };
}
