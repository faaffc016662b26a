// VMDK descriptor text for the lab's disk files, as ESXi keeps beside "-flat.vmdk" and "-delta.vmdk"
// data files (served by /folder like any datastore file; migration tools may read it for geometry).
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { type ChainFileMeta } from "./disk-chain";
import { type LabDisk } from "./types";

function cid(meta: ChainFileMeta): string {
  return createHash("sha1").update(meta.path).digest("hex").slice(0, 8);
}

const adapterType = (controller: string | undefined): string =>
  controller === "ide"
    ? "ide"
    : controller === "lsilogic" || controller === "lsilogic-sas" || controller === "pvscsi"
      ? "lsilogic"
      : controller === "buslogic"
        ? "buslogic"
        : "lsilogic";

export function descriptorText(disk: LabDisk, chain: ChainFileMeta[], index: number, controllerType: string | undefined): string {
  const meta = chain[index]!;
  const parent = index > 0 ? chain[index - 1] : undefined;
  const sectors = Math.floor(disk.capacityBytes / 512);
  const cylinders = Math.max(1, Math.floor(sectors / (255 * 63)));
  const uuid = disk.uuid.replace(/-/g, "").toLowerCase().match(/../g)!.join(" ");
  return [
    "# Disk DescriptorFile",
    "version=1",
    'encoding="UTF-8"',
    `CID=${cid(meta)}`,
    `parentCID=${parent ? cid(parent) : "ffffffff"}`,
    `createType="${parent ? "vmfsSparse" : "vmfs"}"`,
    ...(parent ? [`parentFileNameHint="${basename(parent.descriptor)}"`] : []),
    "",
    "# Extent description",
    `RW ${sectors} ${parent ? "VMFSSPARSE" : "VMFS"} "${basename(meta.path)}"`,
    "",
    "# The Disk Data Base",
    "#DDB",
    "",
    `ddb.adapterType = "${adapterType(controllerType)}"`,
    `ddb.geometry.cylinders = "${cylinders}"`,
    'ddb.geometry.heads = "255"',
    'ddb.geometry.sectors = "63"',
    `ddb.longContentID = "${createHash("sha1")
      .update(meta.path + "/long")
      .digest("hex")
      .slice(0, 32)}"`,
    ...(disk.thin ? ['ddb.thinProvisioned = "1"'] : []),
    `ddb.uuid = "${uuid}"`,
    'ddb.virtualHWVersion = "14"',
    "",
  ].join("\n");
}
