// Small constructors for scenario inventories, so scenarios read as a list of machines.
import { randomBytes, randomUUID } from "node:crypto";
import {
  type ControllerType,
  type DiskMode,
  type LabController,
  type LabDatastore,
  type LabDisk,
  type LabHost,
  type LabInventory,
  type LabNetwork,
  type LabNic,
  type LabVm,
  type NicModel,
  type PowerState,
} from "../model/types";

export const GiB = 1024 * 1024 * 1024;
export const MiB = 1024 * 1024;

const controllerLabels: Record<ControllerType, string> = {
  pvscsi: "SCSI controller",
  lsilogic: "SCSI controller",
  "lsilogic-sas": "SCSI controller",
  buslogic: "SCSI controller",
  sata: "SATA controller",
  nvme: "NVME controller",
  ide: "IDE",
};
const controllerKeyBase: Record<ControllerType, number> = {
  pvscsi: 1000,
  lsilogic: 1000,
  "lsilogic-sas": 1000,
  buslogic: 1000,
  sata: 15000,
  nvme: 31000,
  ide: 200,
};

export function controller(type: ControllerType, busNumber = 0): LabController {
  return { key: controllerKeyBase[type] + busNumber, type, busNumber, label: `${controllerLabels[type]} ${busNumber}` };
}

/** A backing uuid in vSphere's "6000C29x-..." form. */
export function diskUuid(): string {
  const h = randomBytes(16).toString("hex");
  return `6000C29${h.slice(0, 1)}-${h.slice(1, 5)}-${h.slice(5, 9)}-${h.slice(9, 13)}-${h.slice(13, 25)}`;
}

/** A MAC from VMware's automatic range 00:50:56:80-BF:xx:xx. */
export function vmwareMac(): string {
  const b = randomBytes(3);
  const hex = (n: number) => n.toString(16).padStart(2, "0");
  return `00:50:56:${hex(0x80 | (b[0]! & 0x3f))}:${hex(b[1]!)}:${hex(b[2]!)}`;
}

export interface DiskSpec {
  key: number;
  controller: LabController;
  unitNumber: number;
  capacityBytes: number;
  datastore: string;
  /** Descriptor path inside the datastore, e.g. "web01/web01.vmdk". */
  path: string;
  diskMode?: DiskMode;
  thin?: boolean;
  rdm?: LabDisk["rdm"];
}

export function disk(spec: DiskSpec, index: number): LabDisk {
  return {
    key: spec.key,
    label: `Hard disk ${index + 1}`,
    controllerKey: spec.controller.key,
    unitNumber: spec.unitNumber,
    capacityBytes: spec.capacityBytes,
    datastore: spec.datastore,
    baseFileName: `[${spec.datastore}] ${spec.path}`,
    thin: spec.thin ?? true,
    diskMode: spec.diskMode ?? "persistent",
    uuid: diskUuid(),
    sharing: "sharingNone",
    rdm: spec.rdm ?? "none",
  };
}

export function nic(key: number, model: NicModel, network: string, index: number): LabNic {
  return { key, label: `Network adapter ${index + 1}`, model, mac: vmwareMac(), network };
}

export interface VmSpec {
  moref: string;
  name: string;
  guestId: string;
  guestFullName: string;
  firmware: "bios" | "efi";
  secureBoot?: boolean;
  numCPU: number;
  coresPerSocket: number;
  memoryMiB: number;
  powerState: PowerState;
  toolsInstalled: boolean;
  host: string;
  folder: string;
  datastore: string;
  controllers: LabController[];
  disks: DiskSpec[];
  nics: { model: NicModel; network: string }[];
  cdroms: { controller: LabController; unitNumber: number }[];
  guestHints?: LabVm["guestHints"];
}

export function vm(spec: VmSpec): LabVm {
  return {
    moref: spec.moref,
    name: spec.name,
    uuid: randomUUID(),
    instanceUuid: randomUUID(),
    guestId: spec.guestId,
    guestFullName: spec.guestFullName,
    firmware: spec.firmware,
    secureBoot: spec.secureBoot ?? false,
    numCPU: spec.numCPU,
    coresPerSocket: spec.coresPerSocket,
    memoryMiB: spec.memoryMiB,
    powerState: spec.powerState,
    toolsRunning: spec.powerState === "poweredOn" && spec.toolsInstalled,
    toolsInstalled: spec.toolsInstalled,
    changeTrackingEnabled: false,
    host: spec.host,
    folder: spec.folder,
    vmPathName: `[${spec.datastore}] ${spec.name}/${spec.name}.vmx`,
    controllers: spec.controllers,
    disks: spec.disks.map((d, i) => disk(d, i)),
    nics: spec.nics.map((n, i) => nic(4000 + i, n.model, n.network, i)),
    cdroms: spec.cdroms.map((c, i) => ({ key: 3000 + i, controllerKey: c.controller.key, unitNumber: c.unitNumber })),
    snapshots: [],
    currentSnapshot: null,
    consolidationNeeded: false,
    guestHints: spec.guestHints ?? {},
  };
}

/** The lab's fixed datacenter: one cluster, one ESXi host, two datastores, a standard and a distributed port group. */
export function labSite(vms: LabVm[]): LabInventory {
  const hosts: LabHost[] = [{ moref: "host-10", name: "esxi01.lab.local", version: "7.0.3", build: "21930508" }];
  const datastores: LabDatastore[] = [
    { moref: "datastore-11", name: "ds1", capacityBytes: 500 * GiB, freeBytes: 420 * GiB, type: "VMFS" },
    { moref: "datastore-12", name: "ds2", capacityBytes: 250 * GiB, freeBytes: 200 * GiB, type: "NFS" },
  ];
  const networks: LabNetwork[] = [
    { moref: "network-13", name: "VM Network", kind: "standard" },
    { moref: "dvportgroup-14", name: "dvpg-prod", kind: "distributed", dvsName: "dvs-lab" },
  ];
  return {
    datacenter: { moref: "datacenter-2", name: "lab-dc" },
    cluster: { moref: "domain-c7", name: "lab-cluster" },
    hosts,
    datastores,
    networks,
    vms,
  };
}
