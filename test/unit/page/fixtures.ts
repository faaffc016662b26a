// A schema-valid manifest for page tests, shaped by overrides.
import { Manifest, MANIFEST_SCHEMA_VERSION } from "../../../src/shared/manifest";

export function sampleManifest(overrides: Partial<Manifest> = {}): Manifest {
  const base: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    kind: "ablestack-v2k-run",
    runId: "run-1",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    toolVersion: "0.1.0",
    vcenter: { url: "https://127.0.0.2:8443/sdk", username: "admin", insecure: false, thumbprint: "AA:BB" },
    vm: {
      name: "web01",
      moref: "vm-1",
      uuid: "u-1",
      guestId: "otherLinux64Guest",
      isWindows: false,
      firmware: "bios",
      secureBoot: false,
      numCPU: 1,
      coresPerSocket: 1,
      memoryMiB: 256,
      powerStateAtInit: "poweredOn",
    },
    controllers: [{ key: 1000, type: "pvscsi", busNumber: 0 }],
    nics: [],
    disks: [
      {
        key: 2000,
        index: 0,
        label: "Hard disk 1",
        controllerKey: 1000,
        unitNumber: 0,
        capacityBytes: 64 * 1024 * 1024,
        fileName: "[ds1] web01/web01.vmdk",
        datastore: "ds1",
        thin: true,
        diskMode: "persistent",
        target: { path: "/tmp/web01-disk0.qcow2", format: "qcow2", mode: "file" },
        syncedChangeId: null,
        syncedRound: null,
        needsRebase: null,
      },
    ],
    target: { dir: "/tmp", format: "qcow2", mode: "file", transport: "http" },
    phase: "initialized",
    cbt: { enabledByUs: false },
    snapshots: [],
    rounds: [],
    verify: [],
    warnings: [],
    lastError: null,
  };
  return Manifest.parse({ ...base, ...overrides });
}

export function syncedRound(
  n: number,
  kind: "base" | "incr" | "final",
  changedBytes: number,
  durationMs: number,
): Manifest["rounds"][number] {
  return {
    n,
    kind,
    snapshotName: `v2k-run-1-${n}`,
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:01:00.000Z",
    durationMs,
    changedBytes,
    copiedBytes: changedBytes,
    status: "synced",
    disks: {},
  };
}
