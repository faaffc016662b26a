// Manifests shaped like the ones `init` writes for the lab's VMs, for tests that need no vCenter.
import { MANIFEST_SCHEMA_VERSION, Manifest, type Disk } from "../../../src/shared/manifest";

export interface FixtureOptions {
  name?: string;
  isWindows?: boolean;
  firmware?: "bios" | "efi";
  secureBoot?: boolean;
  disks?: { capacityBytes: number; format?: "qcow2" | "raw"; mode?: "file" | "block" | "rbd"; path?: string }[];
  nics?: { network: string; mac: string }[];
  numCPU?: number;
  coresPerSocket?: number;
  targetDir?: string;
}

export function fixtureManifest(o: FixtureOptions = {}): Manifest {
  const name = o.name ?? "web01";
  const dir = o.targetDir ?? "/var/lib/v2k-test";
  const now = new Date().toISOString();
  const disks: Disk[] = (o.disks ?? [{ capacityBytes: 64 << 20 }]).map((d, i) => ({
    key: 2000 + i,
    index: i,
    label: `Hard disk ${i + 1}`,
    controllerKey: 1000,
    unitNumber: i,
    capacityBytes: d.capacityBytes,
    fileName: `[ds1] ${name}/${name}${i ? "_" + i : ""}.vmdk`,
    datastore: "ds1",
    thin: true,
    diskMode: "persistent",
    target: { path: d.path ?? `${dir}/${name}-disk${i}.${d.format ?? "qcow2"}`, format: d.format ?? "qcow2", mode: d.mode ?? "file" },
    syncedChangeId: null,
    syncedRound: null,
    needsRebase: null,
  }));
  return Manifest.parse({
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    kind: "ablestack-v2k-run",
    runId: "20261128-000000-test",
    createdAt: now,
    updatedAt: now,
    toolVersion: "0.0.0-test",
    vcenter: { url: "https://127.0.0.2/sdk", username: "administrator@vsphere.local", insecure: true },
    vm: {
      name,
      moref: "vm-42",
      uuid: "421e2f2c-5b6a-4c3d-9e8f-0123456789ab",
      guestId: o.isWindows ? "windows2019srv_64Guest" : "rhel8_64Guest",
      isWindows: o.isWindows ?? false,
      firmware: o.firmware ?? "bios",
      secureBoot: o.secureBoot ?? false,
      numCPU: o.numCPU ?? 2,
      coresPerSocket: o.coresPerSocket ?? 1,
      memoryMiB: 256,
      powerStateAtInit: "poweredOn",
    },
    controllers: [{ key: 1000, type: "pvscsi", busNumber: 0 }],
    nics: (o.nics ?? [{ network: "VM Network", mac: "00:50:56:AA:BB:01" }]).map((n, i) => ({
      key: 4000 + i,
      label: `Network adapter ${i + 1}`,
      model: "vmxnet3",
      mac: n.mac,
      network: n.network,
      networkKind: "standard",
    })),
    disks,
    target: { dir, format: disks[0]?.target.format ?? "qcow2", mode: "file", transport: "http" },
    phase: "incr-synced",
    cbt: { enabledByUs: true },
    snapshots: [],
    rounds: [],
    verify: [],
    warnings: [],
    lastError: null,
  });
}
