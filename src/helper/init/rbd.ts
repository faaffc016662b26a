// RBD targets at init: an image name per disk (the target map, else <vm>-disk<N> in the pool), the
// preflight on the cluster, images created and marked with the run id.
import { resolve } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { prepareRbdTargets, type RbdDiskTarget } from "../preflight/rbd-targets";
import { CephCli, DEFAULT_CEPH_CONF, DEFAULT_CEPH_ID, defaultImageName, diskSlot, parseTargetMap, rbdPath } from "../storage/rbd/index";
import { type InventoryResult } from "../vsphere/replies";

export interface RbdInitRequest {
  vm: string;
  rbdPool?: string | undefined;
  /** ceph.conf (monitors, keyring); default /etc/ceph/ceph.conf. */
  cephConf?: string | undefined;
  /** Ceph client id without "client."; default admin. */
  cephId?: string | undefined;
  /** Images per disk, '{"scsi0:0":"rbd:pool/img"}'. */
  targetMapJson?: string | undefined;
  /** Replace images of these names left by an earlier ablestack-v2k run (never others). */
  force: boolean;
}

/** RBD targets: names per disk, preflight on the cluster, images created and marked with the run id. */
export async function rbdTargets(r: RbdInitRequest, inv: InventoryResult, runId: string, warn: (msg: string) => void) {
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
  const mapped = r.targetMapJson !== undefined ? parseTargetMap(r.targetMapJson, disks) : new Map();
  const targets: RbdDiskTarget[] = disks.map((d) => {
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
  const access = { conf: resolve(r.cephConf ?? DEFAULT_CEPH_CONF), id: r.cephId ?? DEFAULT_CEPH_ID };
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
