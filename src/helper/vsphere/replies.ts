// zod schemas of the Python bridge's replies: nothing from the bridge is used unvalidated.
import { z } from "zod";

export const BridgeErrorReply = z.object({ kind: z.string(), fault: z.string(), message: z.string() });
export type BridgeErrorReply = z.infer<typeof BridgeErrorReply>;

export const BridgeReply = z.union([
  z.object({ id: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number(), ok: z.literal(false), error: BridgeErrorReply }),
]);

export const SnapshotNode = z.object({
  moref: z.string(),
  name: z.string(),
  createTime: z.string().nullable(),
  parent: z.string().nullable(),
  state: z.string().nullable().optional(),
});
export type SnapshotNode = z.infer<typeof SnapshotNode>;

export const DiskInfo = z.object({
  key: z.number().int(),
  label: z.string(),
  controllerKey: z.number().int(),
  unitNumber: z.number().int(),
  capacityBytes: z.number().int().nonnegative(),
  fileName: z.string(),
  datastore: z.string().nullable(),
  thin: z.boolean(),
  diskMode: z.string(),
  uuid: z.string().nullable(),
  changeId: z.string().nullable(),
  sharing: z.string(),
  rdm: z.enum(["none", "physical", "virtual"]),
  backingType: z.string(),
});
export type DiskInfo = z.infer<typeof DiskInfo>;

export const ConnectResult = z.object({ apiVersion: z.string(), fullName: z.string(), pyvmomi: z.string() });

export const VmStateResult = z.object({
  powerState: z.enum(["poweredOn", "poweredOff", "suspended"]),
  toolsRunning: z.boolean(),
  changeTrackingEnabled: z.boolean(),
  snapshots: z.array(SnapshotNode),
  consolidationNeeded: z.boolean(),
});
export type VmStateResult = z.infer<typeof VmStateResult>;

export const InventoryResult = z.object({
  moref: z.string(),
  name: z.string(),
  uuid: z.string(),
  instanceUuid: z.string().nullable(),
  guestId: z.string(),
  guestFullName: z.string().nullable(),
  firmware: z.string(),
  secureBoot: z.boolean(),
  numCPU: z.number().int(),
  coresPerSocket: z.number().int(),
  memoryMiB: z.number().int(),
  powerState: z.enum(["poweredOn", "poweredOff", "suspended"]),
  toolsRunning: z.boolean(),
  changeTrackingEnabled: z.boolean(),
  /** capability.changeTrackingSupported (null: the server did not say) */
  changeTrackingSupported: z.boolean().nullish(),
  /** config.version, e.g. "vmx-14" */
  hardwareVersion: z.string().nullish(),
  consolidationNeeded: z.boolean(),
  vmPathName: z.string().nullable(),
  host: z.object({ moref: z.string(), name: z.string(), version: z.string(), build: z.string() }).nullable(),
  controllers: z.array(z.object({ key: z.number().int(), type: z.string(), busNumber: z.number().int() })),
  disks: z.array(DiskInfo),
  nics: z.array(
    z.object({
      key: z.number().int(),
      label: z.string(),
      model: z.string(),
      mac: z.string(),
      network: z.string(),
      networkKind: z.string(),
    }),
  ),
  snapshots: z.array(SnapshotNode),
  datastores: z.array(z.object({ moref: z.string(), name: z.string(), type: z.string() })),
  datacenter: z.string().nullable(),
  guestinfo: z.record(z.string(), z.string()),
  vtpm: z.boolean().default(false),
});
export type InventoryResult = z.infer<typeof InventoryResult>;

export const ChangedFlag = z.object({ changed: z.boolean() }).passthrough();
export const SnapshotCreateResult = z.object({ moref: z.string() }).passthrough();
export const SnapshotRemoveResult = z.object({ removed: z.boolean(), missing: z.boolean() }).passthrough();
export const SnapshotDisksResult = z.object({ disks: z.array(DiskInfo) }).passthrough();
export const QcdaResult = z
  .object({
    areas: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().positive()])),
    calls: z.number().int(),
    covered: z.number().int(),
  })
  .passthrough();
export type QcdaResult = z.infer<typeof QcdaResult>;
export const CookieResult = z.object({ cookie: z.string() }).passthrough();
export const PingResult = z.object({ time: z.string(), reauthenticated: z.boolean().optional() }).passthrough();
