// Preflight of RBD targets: the images init would plan (same planner), the pool's MAX AVAIL against the
// VM's provisioned sizes, and no image of a planned name. Each is a check with the stable code and hint of
// the refusal init would give; nothing is created.
import { V2kError } from "../../shared/v2k-error";
import { CephCli, type RbdName } from "../storage/rbd/index";
import { type InventoryResult } from "../vsphere/replies";
import { type Check } from "./checks";
import { gib } from "./dst-space";
import { cephAccessFor, checkNoImages, checkPoolSpace, planRbdTargets, type RbdTargetRequest } from "./rbd-targets";

const POOL = { id: "dst-space", title: "Ceph RBD pool and free space" } as const;
const IMAGES = { id: "rbd-images", title: "No RBD image of the target names" } as const;

export interface RbdPreflight {
  checks: Check[];
  /** The planned images as libvirt names them ("pool/image"), for the in-use checks. */
  images: string[];
}

const refused = (e: unknown): string => {
  if (!(e instanceof V2kError)) throw e;
  return `${e.code}: ${e.message}. ${e.hint}`;
};
const imageList = (names: RbdName[]) => names.map((n) => `${n.pool}/${n.image}`);

export async function rbdPreflight(r: RbdTargetRequest, inventory: InventoryResult | undefined): Promise<RbdPreflight> {
  if (!inventory) {
    const reason = "not checked: VM unknown";
    return {
      checks: [
        { ...POOL, status: "fail", reason },
        { ...IMAGES, status: "fail", reason },
      ],
      images: [],
    };
  }
  const targets = planRbdTargets(r, inventory);
  const images = imageList(targets.map((t) => t.name));
  const cli = new CephCli(cephAccessFor(r));
  let pool: Check;
  try {
    const pools = await checkPoolSpace(cli, targets);
    const reason = pools.map((p) => `pool '${p.name}' can take ${gib(p.maxAvailBytes)}, ${gib(p.neededBytes)} provisioned`).join("; ");
    pool = { ...POOL, status: "pass", reason };
  } catch (e) {
    pool = { ...POOL, status: "fail", reason: refused(e) };
  }
  let free: Check;
  if (pool.status === "fail" && !/^DST_TOO_SMALL/.test(pool.reason)) {
    free = { ...IMAGES, status: "fail", reason: "not checked: the pool is not usable" };
  } else {
    try {
      await checkNoImages(cli, targets, false);
      free = { ...IMAGES, status: "pass", reason: `none exists yet: ${images.join(", ")}` };
    } catch (e) {
      free = { ...IMAGES, status: "fail", reason: refused(e) };
    }
  }
  return { checks: [pool, free], images };
}
