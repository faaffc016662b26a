// manifest.json: the single source of truth of one migration run (one VM, one workdir).
// Written atomically by the helper only; the page reads it. Never holds a secret.
// Changing the shape: bump MANIFEST_SCHEMA_VERSION and add a migration in helper/state/manifest-migrations.ts.
import { z } from "zod";
import { ErrorInfo } from "./errors";
import { StepOptionTexts } from "./requests/step-options";

export const MANIFEST_SCHEMA_VERSION = 2;

export const Phase = z.enum([
  "initialized", // inventory taken, nothing changed on VMware yet
  "cbt-enabled",
  "base-synced",
  "incr-synced",
  "cutover-running", // source shutdown requested; KVM side not yet defined
  "final-synced",
  "defined",
  "started",
  "rolled-back",
  "cleaned",
]);
export type Phase = z.infer<typeof Phase>;

export const ControllerType = z.enum(["pvscsi", "lsilogic", "lsilogic-sas", "buslogic", "sata", "nvme", "ide"]);
export const NicModel = z.enum(["vmxnet3", "vmxnet2", "e1000", "e1000e", "pcnet32", "sriov", "unknown"]);
export const TargetFormat = z.enum(["qcow2", "raw"]);
export const TargetMode = z.enum(["file", "block", "rbd"]);
export const Transport = z.enum(["vddk", "http"]);
export const RoundKind = z.enum(["base", "incr", "final"]);

export const VcenterRef = z.object({
  url: z.string(), // https://host/sdk
  username: z.string(),
  thumbprint: z.string().optional(), // SHA-1, colon separated, upper case
  insecure: z.boolean(), // true only when the operator asked for it
  datacenter: z.string().optional(),
});

export const VmInventory = z.object({
  name: z.string(),
  moref: z.string(), // vm-NN
  uuid: z.string(), // BIOS uuid (config.uuid)
  instanceUuid: z.string().optional(),
  guestId: z.string(),
  guestFullName: z.string().optional(),
  isWindows: z.boolean(),
  firmware: z.enum(["bios", "efi"]),
  secureBoot: z.boolean(),
  numCPU: z.number().int().positive(),
  coresPerSocket: z.number().int().positive(),
  memoryMiB: z.number().int().positive(),
  powerStateAtInit: z.enum(["poweredOn", "poweredOff", "suspended"]),
  /** VMware Tools running at init (a guest shutdown needs them); absent in older manifests. */
  toolsRunningAtInit: z.boolean().optional(),
  host: z.string().optional(), // host moref
  vmPathName: z.string().optional(), // [ds] dir/vm.vmx
});

export const Controller = z.object({
  key: z.number().int(),
  type: ControllerType,
  busNumber: z.number().int(),
});

export const Nic = z.object({
  key: z.number().int(),
  label: z.string(),
  model: NicModel,
  mac: z.string(),
  network: z.string(), // port group name
  networkKind: z.enum(["standard", "distributed", "opaque", "unknown"]),
});

/** One disk's part of one sync round. */
export const DiskRound = z.object({
  snapshotMoref: z.string(),
  changeIdFrom: z.string(), // "*" for a base or rebase copy
  changeIdTo: z.string(), // the changeId read from this round's snapshot
  rebase: z.boolean(), // full copy forced by a CBT reset or capacity change
  changedBytes: z.number().nonnegative(), // sum of QCDA areas
  copiedBytes: z.number().nonnegative(), // data written to the target
  zeroedBytes: z.number().nonnegative(),
  durationMs: z.number().nonnegative().optional(),
  status: z.enum(["pending", "copying", "flushed", "committed", "failed"]),
});

export const Disk = z.object({
  key: z.number().int(), // device key, stable identity of the disk
  index: z.number().int().nonnegative(), // position among the VM's disks in device order
  label: z.string(),
  controllerKey: z.number().int(),
  unitNumber: z.number().int(),
  capacityBytes: z.number().int().nonnegative(),
  fileName: z.string(), // [datastore] dir/name.vmdk (the base file)
  datastore: z.string(),
  thin: z.boolean(),
  diskMode: z.string(),
  uuid: z.string().optional(),
  target: z.object({
    path: z.string(),
    format: TargetFormat,
    mode: TargetMode,
  }),
  /** The changeId whose data is durable on the target; advanced only after flush. */
  syncedChangeId: z.string().nullable(),
  syncedRound: z.number().int().nullable(),
  needsRebase: z.string().nullable(), // reason, when the next round must be a full copy
});

export const OwnSnapshot = z.object({
  name: z.string(), // unique per run: never matched by pattern, only exactly
  moref: z.string().nullable(), // null while the create task has not reported back
  round: z.number().int().nonnegative(),
  kind: RoundKind,
  state: z.enum(["creating", "present", "removing", "removed", "failed"]),
  createdAt: z.string(),
  removedAt: z.string().optional(),
  /** Why it exists: a sync round's snapshot (default) or the create+remove stun that activates CBT. */
  purpose: z.enum(["round", "cbt-stun"]).optional(),
});

export const Round = z.object({
  n: z.number().int().nonnegative(), // 0 is the base copy
  kind: RoundKind,
  snapshotName: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  changedBytes: z.number().nonnegative(),
  copiedBytes: z.number().nonnegative(),
  status: z.enum(["snapshot", "syncing", "synced", "failed"]),
  disks: z.record(z.string(), DiskRound), // by disk key
});

/** Guest conversion at cutover (virt-v2v-in-place on overlays, then committed into the targets). */
export const ConversionRecord = z.object({
  policy: z.enum(["auto", "virt-v2v", "none"]),
  tool: z.enum(["virt-v2v", "none"]),
  reason: z.string(),
  /** virtio drivers in the guest after conversion: decides disk bus and NIC model for "auto". */
  virtio: z.boolean(),
  /** running: virt-v2v on the overlays; converted: overlays hold the result; committed: the targets do. */
  state: z.enum(["running", "converted", "committed", "skipped"]),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  os: z.string().optional(),
  logPath: z.string().optional(),
  /** By disk key: [offset, length] ranges conversion wrote; verify leaves them out of the comparison. */
  changedRanges: z.record(z.string(), z.array(z.tuple([z.number(), z.number()]))).optional(),
});
export type ConversionRecord = z.infer<typeof ConversionRecord>;

/**
 * The conversion rehearsed on throwaway overlays of the last synced round while the source still runs:
 * a conversion that would fail stops the cutover before the shutdown, and a disk set without an operating
 * system skips the conversion after it (no downtime spent finding that out).
 */
export const ConversionRehearsal = z.object({
  state: z.enum(["ok", "no-os", "failed"]),
  /** Index of the round whose copy was rehearsed; a later round makes the rehearsal stale. */
  afterRound: z.number().int(),
  at: z.string(),
  durationMs: z.number().nonnegative(),
  os: z.string().optional(),
  logPath: z.string(),
});
export type ConversionRehearsal = z.infer<typeof ConversionRehearsal>;

export const CutoverRecord = z.object({
  shutdownMode: z.enum(["guest", "poweroff", "already-off"]),
  requestedAt: z.string(),
  sourceOffAt: z.string().optional(),
  finalSyncedAt: z.string().optional(),
  convertedAt: z.string().optional(),
  /** The quick data verify between define and start passed (its result is in manifest.verify). */
  verifiedAt: z.string().optional(),
  conversion: ConversionRecord.optional(),
  definedAt: z.string().optional(),
  startedAt: z.string().optional(),
  downtimeMs: z.number().nonnegative().optional(),
  domainName: z.string().optional(),
  domainUuid: z.string().optional(),
  xmlPath: z.string().optional(),
  /** How the power-off was proven (the final snapshot must be younger than sourceOffAt). */
  sourceOffEvidence: z.string().optional(),
  /** When the KVM domain first ran on the target disks (from then on the guest may have written them). */
  domainRanAt: z.string().optional(),
  /** Where cutover's network default came from (flag, env, config file, libvirt network, host bridge). */
  networkDefaultSource: z.string().optional(),
});

/** A cutover given up by rollback: kept for the record, never resumed. */
export const ArchivedCutover = CutoverRecord.extend({
  archivedAt: z.string(),
  reason: z.string(),
});

export const VerifyRecord = z.object({
  mode: z.enum(["quick", "full", "boot"]),
  at: z.string(),
  ok: z.boolean(),
  samples: z.number().int().optional(),
  seed: z.string().optional(),
  mismatches: z.array(z.object({ disk: z.number().int(), offset: z.number(), length: z.number() })),
  detail: z.string().optional(),
  blockSize: z.number().int().optional(),
  /** What was compared, e.g. "powered-off source vs target before the domain started (cutover)". */
  compared: z.string().optional(),
  /** Per disk: blocks and bytes compared. */
  disks: z.array(z.object({ disk: z.number().int(), label: z.string(), blocks: z.number().int(), comparedBytes: z.number() })).optional(),
});

export const Manifest = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  kind: z.literal("ablestack-v2k-run"), // tells our workdirs from foreign directories
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  toolVersion: z.string(),
  vcenter: VcenterRef,
  vm: VmInventory,
  controllers: z.array(Controller),
  nics: z.array(Nic),
  /** Port group -> KVM network (BRIDGE, bridge:NAME or network:NAME): chosen at init, changed by cutover until start. */
  networkMap: z.record(z.string(), z.string()).optional(),
  /** Options of the next steps chosen on the page ('step-options'), as typed; the page's commands carry them. */
  stepOptions: StepOptionTexts.optional(),
  disks: z.array(Disk),
  target: z.object({
    dir: z.string(),
    format: TargetFormat,
    mode: TargetMode,
    transport: Transport,
    /** RBD targets: how the helper reaches the cluster; the key stays in the keyring the conf names. */
    ceph: z
      .object({
        conf: z.string(),
        id: z.string(),
        pool: z.string(),
        /** cephx: the libvirt secret (ceph usage) defined for this run's domain. */
        secretUuid: z.string().optional(),
      })
      .optional(),
  }),
  phase: Phase,
  cbt: z.object({ enabledByUs: z.boolean(), enabledAt: z.string().optional() }),
  snapshots: z.array(OwnSnapshot),
  rounds: z.array(Round),
  conversionRehearsal: ConversionRehearsal.optional(),
  cutover: CutoverRecord.optional(),
  /** Cutovers undone by rollback before this run was retried on the same workdir (schemaVersion 2). */
  pastCutovers: z.array(ArchivedCutover).optional(),
  verify: z.array(VerifyRecord),
  rollback: z.object({ at: z.string(), sourcePoweredOn: z.boolean(), domainUndefined: z.boolean(), disksRemoved: z.boolean() }).optional(),
  cleanup: z.object({ at: z.string(), snapshotsRemoved: z.array(z.string()), workdirKept: z.boolean() }).optional(),
  warnings: z.array(z.object({ at: z.string(), code: z.string(), message: z.string() })),
  lastError: ErrorInfo.nullable(),
});
export type Manifest = z.infer<typeof Manifest>;
export type Disk = z.infer<typeof Disk>;
export type Round = z.infer<typeof Round>;
export type DiskRound = z.infer<typeof DiskRound>;
export type OwnSnapshot = z.infer<typeof OwnSnapshot>;
export type CutoverRecord = z.infer<typeof CutoverRecord>;
