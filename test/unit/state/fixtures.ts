// A realistic manifest built through the same code path as `init`, from a recorded inventory shape.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manifestFromInventory } from "../../../src/helper/sync/inventory-manifest";
import { type InventoryResult } from "../../../src/helper/vsphere/replies";
import { type Manifest } from "../../../src/shared/manifest";

export const inventory: InventoryResult = {
  moref: "vm-12",
  name: "web01",
  uuid: "4201aaaa-bbbb-cccc-dddd-eeeeffff0001",
  instanceUuid: "5001aaaa-0000-0000-0000-000000000001",
  guestId: "rhel8_64Guest",
  guestFullName: "Red Hat Enterprise Linux 8 (64-bit)",
  firmware: "bios",
  secureBoot: false,
  numCPU: 2,
  coresPerSocket: 1,
  memoryMiB: 2048,
  powerState: "poweredOn",
  toolsRunning: true,
  changeTrackingEnabled: false,
  consolidationNeeded: false,
  vmPathName: "[ds1] web01/web01.vmx",
  host: { moref: "host-10", name: "esx01", version: "7.0.3", build: "20328353" },
  controllers: [
    { key: 1000, type: "pvscsi", busNumber: 0 },
    { key: 15000, type: "sata", busNumber: 0 },
  ],
  disks: [
    {
      key: 2000,
      label: "Hard disk 1",
      controllerKey: 1000,
      unitNumber: 0,
      capacityBytes: 2 ** 30,
      fileName: "[ds1] web01/web01.vmdk",
      datastore: "datastore-1",
      thin: true,
      diskMode: "persistent",
      uuid: "6000C291-0000-0000-0000-000000000001",
      changeId: null,
      sharing: "sharingNone",
      rdm: "none",
      backingType: "FlatVer2BackingInfo",
    },
    {
      key: 16000,
      label: "Hard disk 2",
      controllerKey: 15000,
      unitNumber: 0,
      capacityBytes: 2 ** 29,
      fileName: "[ds1] web01/web01_1.vmdk",
      datastore: "datastore-1",
      thin: true,
      diskMode: "persistent",
      uuid: null,
      changeId: null,
      sharing: "sharingNone",
      rdm: "none",
      backingType: "FlatVer2BackingInfo",
    },
  ],
  nics: [
    { key: 4000, label: "Network adapter 1", model: "vmxnet3", mac: "00:50:56:aa:bb:01", network: "VM Network", networkKind: "standard" },
  ],
  snapshots: [],
  datastores: [{ moref: "datastore-1", name: "ds1", type: "VMFS" }],
  datacenter: "DC1",
  guestinfo: {},
  vtpm: false,
};

export function sampleManifest(dst = "/var/lib/targets"): Manifest {
  return manifestFromInventory({
    runId: "20260101-000000-abcdef",
    inventory,
    dst,
    format: "qcow2",
    mode: "file",
    transport: "http",
    access: {
      url: "https://vc.example/sdk",
      host: "vc.example",
      port: 443,
      username: "admin",
      password: "secret-pw",
      thumbprint: "AA:BB",
      insecure: false,
    },
  });
}

export function tempDir(t: { after(fn: () => void): void }, prefix = "v2k-state-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
