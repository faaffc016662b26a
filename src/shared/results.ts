// Result data of the helper commands the page drives (the `data` of the final `result` line).
// The helper returns these shapes; the page validates them with these schemas and nothing else.
// Schemas stay lenient about extra fields (zod strips them) so a newer helper never breaks an older page.
import { z } from "zod";
import { ErrorInfo } from "./errors";
import { Manifest, Phase } from "./manifest";

export const DEFAULT_WORKDIR_ROOT = "/var/lib/ablestack-v2k";

/** `preflight`: the runbook's Go/No-Go list. */
export const PreflightCheck = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(["pass", "warn", "fail"]),
  reason: z.string(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

export const PreflightResult = z.object({
  go: z.boolean(),
  checks: z.array(PreflightCheck),
});
export type PreflightResult = z.infer<typeof PreflightResult>;

/** `init`: the new workdir. */
export const InitResult = z.object({
  workdir: z.string(),
  runId: z.string().optional(),
});
export type InitResult = z.infer<typeof InitResult>;

/** `storage networks`: where NICs can go on this host; `default` is the host default as "bridge:X"/"network:X". */
export const NetworksResult = z.object({
  networks: z.array(z.object({ name: z.string(), active: z.boolean(), bridge: z.string().optional() })),
  bridges: z.array(z.string()),
  default: z.string().nullable(),
});
export type NetworksResult = z.infer<typeof NetworksResult>;

/** `storage pools`: the Ceph pools an RBD target can use and what each can still take (MAX AVAIL). */
export const StoragePoolsResult = z.object({
  conf: z.string(),
  pools: z.array(z.object({ name: z.string(), maxAvailBytes: z.number() })),
});
export type StoragePoolsResult = z.infer<typeof StoragePoolsResult>;

/** A long operation started in the background (systemd unit or detached process). */
export const RunningOperation = z.object({
  command: z.string(), // e.g. "sync incr", "cutover"
  pid: z.number().int().positive().optional(),
  unit: z.string().optional(), // transient systemd unit name
  startedAt: z.string().optional(),
});
export type RunningOperation = z.infer<typeof RunningOperation>;

/** <workdir>/operation.json, written by the job service (src/kit/jobs) for a detached job. */
export const OperationRecord = z.object({
  command: z.string(), // a label, e.g. "sync incr"
  pid: z.number().int().positive(), // the command's own process
  unit: z.string().optional(), // transient systemd unit name
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
  id: z.string().optional(), // this launch (a later launch on the same directory has another)
  mode: z.enum(["systemd", "setsid"]).optional(),
  argv: z.array(z.string()).optional(), // never holds a secret: those travel on stdin
  procStart: z.string().optional(), // /proc/<pid>/stat starttime: a reused pid is not this job
  supervisorPid: z.number().int().positive().optional(),
  supervisorStart: z.string().optional(),
  cancelled: z.boolean().optional(), // ended by `job cancel`, not a failure
});
export type OperationRecord = z.infer<typeof OperationRecord>;

/** `job start`: the detached job just launched. */
export const JobStarted = z.object({
  workdir: z.string(),
  label: z.string(),
  id: z.string(),
  mode: z.enum(["systemd", "setsid"]),
  pid: z.number().int().positive(),
  log: z.string(),
  unit: z.string().optional(),
});
export type JobStarted = z.infer<typeof JobStarted>;

/** `job status` and `job cancel`: the workdir's job as it is now. */
export const JobStatusResult = z.object({
  state: z.enum(["none", "running", "exited", "lost"]),
  record: OperationRecord.nullable(),
});
export type JobStatusResult = z.infer<typeof JobStatusResult>;

/** `job tail`: a file's bytes from an offset (size -1: no such file; start -1: the file is shorter). */
export const TailChunk = z.object({
  size: z.number().int(),
  start: z.number().int(),
  text: z.string(),
});
export type TailChunk = z.infer<typeof TailChunk>;

/** The KVM domain of a migration after cutover, as libvirt reports it now ("undefined": no such domain). */
export const DomainStatus = z.object({
  name: z.string(),
  state: z.string(), // virsh domstate: running, shut off, paused, ... or "undefined"
});
export type DomainStatus = z.infer<typeof DomainStatus>;

/** A disk copy waiting for a host-wide, ESXi host or datastore copy slot (`status`, `list`). */
export const SlotWait = z.object({
  disk: z.number().int(),
  since: z.string(),
  for: z.string(), // "host-wide disk copies 2/2 busy (web01 Hard disk 1 (run), ...)"
});
export type SlotWait = z.infer<typeof SlotWait>;

/** `list`: one entry per workdir under the root. */
export const ListedMigration = z.object({
  workdir: z.string(),
  manifest: Manifest,
  running: RunningOperation.nullable(),
  domain: DomainStatus.nullable().optional(), // only for migrations with a defined domain
  waiting: z.array(SlotWait).optional(), // disk copies waiting for a copy slot right now
});
export type ListedMigration = z.infer<typeof ListedMigration>;

export const UnreadableWorkdir = z.object({
  workdir: z.string(),
  error: ErrorInfo,
});
export type UnreadableWorkdir = z.infer<typeof UnreadableWorkdir>;

export const ListResult = z.object({
  root: z.string(),
  migrations: z.array(ListedMigration),
  unreadable: z.array(UnreadableWorkdir),
});
export type ListResult = z.infer<typeof ListResult>;

/** `status`: the manifest's view plus whether an operation is running on the workdir. */
export const StatusResult = z
  .object({
    workdir: z.string().optional(),
    phase: Phase,
    running: RunningOperation.nullable().optional(),
  })
  .passthrough();
export type StatusResult = z.infer<typeof StatusResult>;

/** vCenter connection probe (wizard step 1): the certificate to confirm before trusting it. */
export const VcenterProbeResult = z.object({
  url: z.string(),
  thumbprint: z.string(), // SHA-1, colon separated, upper case
  subject: z.string().optional(),
  issuer: z.string().optional(),
  notAfter: z.string().optional(),
});
export type VcenterProbeResult = z.infer<typeof VcenterProbeResult>;

/** vCenter VM browse (wizard step 2). */
export const VcenterVmDisk = z.object({
  key: z.number().int().optional(),
  label: z.string(),
  capacityBytes: z.number().nonnegative(),
});
export const VcenterVm = z.object({
  name: z.string(),
  moref: z.string().optional(),
  powerState: z.enum(["poweredOn", "poweredOff", "suspended"]),
  guestFullName: z.string().optional(),
  numCPU: z.number().int().optional(),
  memoryMiB: z.number().int().optional(),
  disks: z.array(VcenterVmDisk),
  networks: z.array(z.string()).optional(),
});
export type VcenterVm = z.infer<typeof VcenterVm>;
export const VcenterVmsResult = z.object({ vms: z.array(VcenterVm) });
export type VcenterVmsResult = z.infer<typeof VcenterVmsResult>;

/** `verify`: the record the helper also appends to manifest.verify. */
export const VerifyResult = z
  .object({
    ok: z.boolean(),
    mode: z.string(),
    samples: z.number().int().optional(),
    seed: z.string().optional(),
    mismatches: z.array(z.object({ disk: z.number().int(), offset: z.number(), length: z.number() })).optional(),
  })
  .passthrough();
export type VerifyResult = z.infer<typeof VerifyResult>;

/** `cbt status`: the VM's change tracking flag and each migrated disk's changeId (null: tracking not active). */
export const CbtStatusResult = z.object({
  enabled: z.boolean(),
  active: z.boolean(),
  disks: z.array(z.object({ key: z.number().int(), label: z.string(), changeId: z.string().nullable() })),
});
export type CbtStatusResult = z.infer<typeof CbtStatusResult>;
