// Turning a pyvmomi inventory into the manifest's shape (pure; unit-testable).
import { MANIFEST_SCHEMA_VERSION, type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type InventoryResult } from "../vsphere/replies";
import { type VcenterAccess } from "../config/vcenter-access";
import { TOOL_VERSION } from "../version";
import { splitDatastorePath } from "../disk-access/source";
import { join } from "node:path";

const CONTROLLER_TYPES = ["pvscsi", "lsilogic", "lsilogic-sas", "buslogic", "sata", "nvme", "ide"] as const;
const NIC_MODELS = ["vmxnet3", "vmxnet2", "e1000", "e1000e", "pcnet32", "sriov", "unknown"] as const;
const NET_KINDS = ["standard", "distributed", "opaque", "unknown"] as const;

function oneOf<T extends string>(values: readonly T[], v: string, fallback: T): T {
  return (values as readonly string[]).includes(v) ? (v as T) : fallback;
}

export interface ManifestInput {
  runId: string;
  inventory: InventoryResult;
  access: VcenterAccess;
  dst: string;
  format: "qcow2" | "raw";
  mode: "file" | "block" | "rbd";
  transport: "vddk" | "http";
  /** Block mode: the device of each disk (by device key). */
  devices?: Map<number, string>;
  /** RBD mode: the image of each disk (by device key) and how to reach the cluster. */
  rbd?: { images: Map<number, string>; conf: string; id: string; pool: string };
}

function diskTarget(input: ManifestInput, key: number, index: number, safeName: string): Manifest["disks"][number]["target"] {
  if (input.mode === "block") return { path: input.devices?.get(key) ?? "", format: "raw", mode: "block" };
  if (input.mode === "rbd") return { path: input.rbd?.images.get(key) ?? "", format: "raw", mode: "rbd" };
  return {
    path: join(input.dst, `${safeName}-disk${index}.${input.format === "qcow2" ? "qcow2" : "raw"}`),
    format: input.format,
    mode: input.mode,
  };
}

export function manifestFromInventory(input: ManifestInput): Manifest {
  const inv = input.inventory;
  const now = new Date().toISOString();
  const blockers = inv.disks.filter((d) => d.diskMode.startsWith("independent") || d.rdm === "physical" || d.sharing !== "sharingNone");
  if (blockers.length > 0) {
    throw new V2kError(
      "CBT_UNSUPPORTED",
      `${inv.name} has disks that cannot be snapshotted: ${blockers.map((d) => `${d.label} (${d.diskMode}, rdm ${d.rdm}, ${d.sharing})`).join(", ")}`,
      "Run 'ablestack_v2k preflight' for the full list; change those disks in vSphere or migrate the VM cold by other means.",
    );
  }
  const safeName = inv.name.replace(/[^A-Za-z0-9._-]/g, "_");
  const vcenter: Manifest["vcenter"] = { url: input.access.url, username: input.access.username, insecure: input.access.insecure };
  if (input.access.thumbprint) vcenter.thumbprint = input.access.thumbprint;
  if (inv.datacenter) vcenter.datacenter = inv.datacenter;
  const vm: Manifest["vm"] = {
    name: inv.name,
    moref: inv.moref,
    uuid: inv.uuid,
    guestId: inv.guestId,
    isWindows: /^win/i.test(inv.guestId),
    firmware: inv.firmware === "efi" ? "efi" : "bios",
    secureBoot: inv.secureBoot,
    numCPU: Math.max(1, inv.numCPU),
    coresPerSocket: Math.max(1, inv.coresPerSocket),
    memoryMiB: Math.max(1, inv.memoryMiB),
    powerStateAtInit: inv.powerState,
    toolsRunningAtInit: inv.toolsRunning,
  };
  if (inv.instanceUuid) vm.instanceUuid = inv.instanceUuid;
  if (inv.guestFullName) vm.guestFullName = inv.guestFullName;
  if (inv.host) vm.host = inv.host.moref;
  if (inv.vmPathName) vm.vmPathName = inv.vmPathName;
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    kind: "ablestack-v2k-run",
    runId: input.runId,
    createdAt: now,
    updatedAt: now,
    toolVersion: TOOL_VERSION,
    vcenter,
    vm,
    controllers: inv.controllers.map((c) => ({ key: c.key, type: oneOf(CONTROLLER_TYPES, c.type, "lsilogic"), busNumber: c.busNumber })),
    nics: inv.nics.map((n) => ({
      key: n.key,
      label: n.label,
      model: oneOf(NIC_MODELS, n.model, "unknown"),
      mac: n.mac,
      network: n.network,
      networkKind: oneOf(NET_KINDS, n.networkKind, "unknown"),
    })),
    disks: inv.disks.map((d, index) => {
      const disk: Manifest["disks"][number] = {
        key: d.key,
        index,
        label: d.label,
        controllerKey: d.controllerKey,
        unitNumber: d.unitNumber,
        capacityBytes: d.capacityBytes,
        fileName: d.fileName,
        datastore: splitDatastorePath(d.fileName).datastore,
        thin: d.thin,
        diskMode: d.diskMode,
        target: diskTarget(input, d.key, index, safeName),
        syncedChangeId: null,
        syncedRound: null,
        needsRebase: null,
      };
      if (d.uuid) disk.uuid = d.uuid;
      return disk;
    }),
    target: {
      dir: input.dst,
      format: input.format,
      mode: input.mode,
      transport: input.transport,
      ...(input.rbd ? { ceph: { conf: input.rbd.conf, id: input.rbd.id, pool: input.rbd.pool } } : {}),
    },
    phase: "initialized",
    cbt: { enabledByUs: false },
    snapshots: [],
    rounds: [],
    pastCutovers: [],
    verify: [],
    warnings: [],
    lastError: null,
  };
}
