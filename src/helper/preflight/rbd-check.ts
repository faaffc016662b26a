// Preflight of RBD targets: the images init would plan (same planner), the pool's MAX AVAIL against the
// VM's provisioned sizes, and no image of a planned name. Each is a check with the stable code and hint of
// the refusal init would give; nothing is created.
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";
import { CephCli, type RbdName } from "../storage/rbd/index";
import { type InventoryResult } from "../vsphere/replies";
import { type Check } from "./checks";
import { gib } from "./dst-space";
import { cephAccessFor, checkNoImages, checkPoolSpace, planRbdTargets, type RbdTargetRequest } from "./rbd-targets";

const POOL = { id: "dst-space", title: say("Ceph RBD pool and free space", "Ceph RBD 풀과 여유 공간") } as const;
const IMAGES = { id: "rbd-images", title: say("No RBD image of the target names", "대상 이름의 RBD 이미지 없음") } as const;

export interface RbdPreflight {
  checks: Check[];
  /** The planned images as libvirt names them ("pool/image"), for the in-use checks. */
  images: string[];
}

const refused = (e: unknown): string => {
  if (!(e instanceof V2kError)) throw e;
  const info = e.toInfo(); // in the helper's language
  return `${info.code}: ${info.message}. ${info.hint}`;
};
const imageList = (names: RbdName[]) => names.map((n) => `${n.pool}/${n.image}`);

export async function rbdPreflight(r: RbdTargetRequest, inventory: InventoryResult | undefined): Promise<RbdPreflight> {
  if (!inventory) {
    const reason = say("not checked: VM unknown", "확인하지 못함: VM을 모름");
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
    const reason = pools
      .map((p) =>
        say(
          `pool '${p.name}' can take ${gib(p.maxAvailBytes)}, ${gib(p.neededBytes)} provisioned`,
          `풀 '${p.name}'에 ${gib(p.maxAvailBytes)} 가능, 할당 크기 ${gib(p.neededBytes)}`,
        ),
      )
      .join("; ");
    pool = { ...POOL, status: "pass", reason };
  } catch (e) {
    pool = { ...POOL, status: "fail", reason: refused(e) };
  }
  let free: Check;
  if (pool.status === "fail" && !/^DST_TOO_SMALL/.test(pool.reason)) {
    free = { ...IMAGES, status: "fail", reason: say("not checked: the pool is not usable", "확인하지 못함: 풀을 쓸 수 없음") };
  } else {
    try {
      await checkNoImages(cli, targets, false);
      free = { ...IMAGES, status: "pass", reason: say(`none exists yet: ${images.join(", ")}`, `아직 없음: ${images.join(", ")}`) };
    } catch (e) {
      free = { ...IMAGES, status: "fail", reason: refused(e) };
    }
  }
  return { checks: [pool, free], images };
}
