// RBD target names: "rbd:pool/image" in the manifest, <vm>-disk<N> by default or per disk from
// --target-map-json ({"scsi0:0": "rbd:pool/img"}), and the qemu spec built from a manifest disk.
import { type Disk, type Manifest } from "../../../shared/manifest";
import { V2kError } from "../../../shared/v2k-error";
import { type RbdTargetSpec } from "../../endpoints/index";
import { type CephAccess } from "./ceph-cli";

export interface RbdName {
  pool: string;
  image: string;
}

const NAME = /^[A-Za-z0-9._-]+$/;

export function parseRbdPath(path: string): RbdName {
  const m = /^(?:rbd:)?([^/:]+)\/([^/:@]+)$/.exec(path);
  if (!m || !NAME.test(m[1]!) || !NAME.test(m[2]!)) {
    throw new V2kError("USAGE", `'${path}' is not an RBD image name`, "Write RBD targets as rbd:POOL/IMAGE (letters, digits, . _ -).");
  }
  return { pool: m[1]!, image: m[2]! };
}

export function rbdPath(n: RbdName): string {
  return `rbd:${n.pool}/${n.image}`;
}

export { defaultImageName } from "../../../shared/rbd-names";

/** The original tool's disk keys: scsi0:0, sata0:1, nvme0:0, ide0:0 (controller kind, bus, unit). */
export function diskSlot(controllerType: string, busNumber: number, unitNumber: number): string {
  const kind = controllerType === "sata" ? "sata" : controllerType === "nvme" ? "nvme" : controllerType === "ide" ? "ide" : "scsi";
  return `${kind}${busNumber}:${unitNumber}`;
}

export interface SlotDisk {
  key: number;
  index: number;
  slot: string;
}

/** Parses --target-map-json; keys are slots (scsi0:0), disk indexes or device keys. Returns image per disk key. */
export function parseTargetMap(json: string, disks: readonly SlotDisk[]): Map<number, RbdName> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new V2kError("USAGE", "--target-map-json is not valid JSON", `Write it as '{"scsi0:0":"rbd:pool/image"}'.`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new V2kError("USAGE", "--target-map-json must be an object", `Write it as '{"scsi0:0":"rbd:pool/image"}'.`);
  }
  const out = new Map<number, RbdName>();
  for (const [k, v] of Object.entries(raw)) {
    const disk = disks.find((d) => d.slot === k || String(d.index) === k || String(d.key) === k);
    if (!disk)
      throw new V2kError(
        "USAGE",
        `--target-map-json names '${k}', which is no disk of the VM`,
        `Use one of: ${disks.map((d) => d.slot).join(", ")}.`,
      );
    if (typeof v !== "string")
      throw new V2kError("USAGE", `--target-map-json: the target of '${k}' is not a string`, "Write rbd:POOL/IMAGE.");
    out.set(disk.key, parseRbdPath(v));
  }
  const names = [...out.values()].map(rbdPath);
  if (new Set(names).size !== names.length)
    throw new V2kError("USAGE", "--target-map-json maps two disks to one image", "Give each disk its own image.");
  return out;
}

export function cephAccessOf(m: Pick<Manifest, "target">): CephAccess {
  const c = m.target.ceph;
  if (!c) throw new V2kError("MANIFEST_CORRUPT", "the manifest has RBD disks but no Ceph access", "Re-run init with --target-storage rbd.");
  return { conf: c.conf, id: c.id };
}

/** The qemu target spec of an RBD disk (conf and client id from the manifest). */
export function rbdTargetSpec(disk: Pick<Disk, "target">, m: Pick<Manifest, "target">, createSize?: number): RbdTargetSpec {
  const n = parseRbdPath(disk.target.path);
  const a = cephAccessOf(m);
  return { kind: "rbd", pool: n.pool, image: n.image, conf: a.conf, user: a.id, ...(createSize !== undefined ? { createSize } : {}) };
}
