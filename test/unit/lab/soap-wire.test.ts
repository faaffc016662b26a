// The encoder's output for every device and backing kind the lab can show, parsed by pyVmomi's own
// deserializer: element names, order and xsi:types must satisfy the strict client parser, including
// kinds the default scenarios do not use (RDM, multi-writer, every controller and NIC model).
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeElement } from "../../../src/lab/soap/codec/encode";
import { typeRef } from "../../../src/lab/soap/schema/schema";
import { vmConfigInfo, type BackingLink } from "../../../src/lab/soap/objects/vm-config";
import { type LabDisk, type LabInventory, type LabVm } from "../../../src/lab/model/types";
import { pyvmomi } from "../../support/lab";

const GiB = 1024 ** 3;
const disk = (key: number, controllerKey: number, unitNumber: number, extra: Partial<LabDisk> = {}): LabDisk => ({
  key,
  label: `Hard disk ${key}`,
  controllerKey,
  unitNumber,
  capacityBytes: GiB,
  datastore: "ds1",
  baseFileName: `[ds1] all/all_${key}.vmdk`,
  thin: true,
  diskMode: "persistent",
  uuid: "6000C291-aaaa-bbbb-cccc-dddddddddddd",
  sharing: "sharingNone",
  rdm: "none",
  ...extra,
});

const vm: LabVm = {
  moref: "vm-1",
  name: "all-kinds",
  uuid: "4201aaaa-0000-0000-0000-000000000001",
  instanceUuid: "5001aaaa-0000-0000-0000-000000000001",
  guestId: "windows2019srv_64Guest",
  guestFullName: "Microsoft Windows Server 2019",
  firmware: "efi",
  secureBoot: true,
  numCPU: 4,
  coresPerSocket: 2,
  memoryMiB: 4096,
  powerState: "poweredOn",
  toolsRunning: true,
  toolsInstalled: true,
  changeTrackingEnabled: true,
  host: "host-1",
  folder: "",
  vmPathName: "[ds1] all/all.vmx",
  controllers: [
    { key: 1000, type: "pvscsi", busNumber: 0, label: "SCSI controller 0" },
    { key: 1001, type: "lsilogic", busNumber: 1, label: "SCSI controller 1" },
    { key: 1002, type: "lsilogic-sas", busNumber: 2, label: "SCSI controller 2" },
    { key: 1003, type: "buslogic", busNumber: 3, label: "SCSI controller 3" },
    { key: 15000, type: "sata", busNumber: 0, label: "SATA controller 0" },
    { key: 31000, type: "nvme", busNumber: 0, label: "NVME controller 0" },
    { key: 200, type: "ide", busNumber: 0, label: "IDE 0" },
  ],
  disks: [
    disk(2000, 1000, 0),
    disk(2001, 1001, 0, { thin: false, diskMode: "independent_persistent" }),
    disk(2002, 1002, 0, { rdm: "physical", diskMode: "independent_persistent" }),
    disk(2003, 1003, 0, { rdm: "virtual" }),
    disk(2004, 15000, 0, { sharing: "sharingMultiWriter", thin: false }),
    disk(2005, 31000, 0),
  ],
  nics: [
    { key: 4000, label: "Network adapter 1", model: "vmxnet3", mac: "00:50:56:00:00:01", network: "VM Network" },
    { key: 4001, label: "Network adapter 2", model: "e1000", mac: "00:50:56:00:00:02", network: "dvpg" },
    { key: 4002, label: "Network adapter 3", model: "e1000e", mac: "00:50:56:00:00:03", network: "VM Network" },
  ],
  cdroms: [{ key: 3000, controllerKey: 200, unitNumber: 0 }],
  snapshots: [],
  currentSnapshot: null,
  consolidationNeeded: false,
  guestHints: { windowsFastStartup: true, hibernation: false },
};

const inv = {
  datacenter: { moref: "datacenter-2", name: "dc" },
  cluster: { moref: "domain-c7", name: "c" },
  hosts: [],
  vms: [vm],
  datastores: [{ moref: "datastore-11", name: "ds1", capacityBytes: 10 * GiB, freeBytes: 5 * GiB, type: "VMFS" }],
  networks: [
    { moref: "network-13", name: "VM Network", kind: "standard" },
    { moref: "dvportgroup-14", name: "dvpg", kind: "distributed", dvsName: "dvs" },
  ],
} as LabInventory;

function xmlOf(value: unknown, type: string): string {
  const out: string[] = [];
  encodeElement("obj", value, typeRef(type), out, true);
  return out
    .join("")
    .replace(
      /^<obj /,
      '<obj xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ',
    );
}

test("pyVmomi parses a config with every controller, disk backing, NIC model and a delta chain", async () => {
  // disk 2000 runs on a delta over a snapshot delta over its base, as with two snapshots
  const chainOf = (d: LabDisk): BackingLink[] =>
    d.key === 2000
      ? [
          { fileName: "[ds1] all/all_2000-000002.vmdk", changeId: "52 aa/9" },
          { fileName: "[ds1] all/all_2000-000001.vmdk", changeId: "52 aa/5" },
          { fileName: d.baseFileName, changeId: "52 aa/2" },
        ]
      : [{ fileName: d.baseFileName, changeId: null }];
  const cfg = vmConfigInfo(vm, inv, chainOf);
  const { results } = await pyvmomi("deserialize.py", {
    items: [{ xml: xmlOf(cfg, "VirtualMachineConfigInfo"), type: "VirtualMachineConfigInfo" }],
  });
  const r = results[0];
  assert.ok(r.ok, r.error);
  assert.equal(r.ok.type, "ConfigInfo");
  assert.equal(r.ok.secureBoot, true);
  assert.equal(r.ok.extraConfig["ctkEnabled"], "TRUE");
  assert.equal(r.ok.extraConfig["guestinfo.windows.fastStartup"], "TRUE");
  const byKey = new Map<number, any>(r.ok.devices.map((d: any) => [d.key, d]));
  const types = [...byKey.values()].map((d) => d.type);
  for (const t of [
    "ParaVirtualSCSIController",
    "VirtualLsiLogicController",
    "VirtualLsiLogicSASController",
    "VirtualBusLogicController",
    "VirtualAHCIController",
    "VirtualNVMEController",
    "VirtualIDEController",
    "VirtualVmxnet3",
    "VirtualE1000",
    "VirtualE1000e",
    "VirtualCdrom",
  ]) {
    assert.ok(types.includes(t), t);
  }
  assert.deepEqual(byKey.get(2000).chain, ["[ds1] all/all_2000-000002.vmdk", "[ds1] all/all_2000-000001.vmdk", "[ds1] all/all_2000.vmdk"]);
  assert.equal(byKey.get(2001).mode, "independent_persistent");
  assert.equal(byKey.get(2002).backing, "RawDiskMappingVer1BackingInfo");
  assert.equal(byKey.get(2002).mode, "physicalMode");
  assert.equal(byKey.get(2003).mode, "virtualMode");
  assert.equal(byKey.get(2004).sharing, "sharingMultiWriter");
  assert.equal(byKey.get(4001).backing, "DistributedVirtualPortBackingInfo");
  assert.equal(byKey.get(4000).backing, "NetworkBackingInfo");
});
