// What each stable error code means for an operator and what to do next; the generated reference
// (pkg/doc/reference.md) is rendered from this table and src/shared/errors.ts. A Record over every
// ErrorCode: a new code does not type-check until it is documented here.
import { type ErrorCode } from "../../shared/errors";

export interface ErrorDoc {
  meaning: string;
  action: string;
}

export const errorDocs: Record<ErrorCode, ErrorDoc> = {
  USAGE: {
    meaning: "bad command line: unknown command or option, invalid value, missing argument",
    action: "see `ablestack_v2k help COMMAND`; exit code 2",
  },
  INTERNAL: {
    meaning: "a bug: an error no adapter mapped to a code",
    action: "report it with events.log and the detail; re-running usually resumes",
  },
  CANCELLED: {
    meaning: "interrupted by SIGINT/SIGTERM or a cancel from the page",
    action: "re-run the same command: it continues from the workdir",
  },
  VCENTER_UNREACHABLE: {
    meaning: "no TCP/TLS connection to the vCenter or ESXi address",
    action: "check the address, port 443, DNS and firewalls from this host",
  },
  TLS_UNTRUSTED: {
    meaning: "the server certificate does not match the pinned SHA-1 thumbprint",
    action: "compare `vcenter probe` with the vCenter's certificate, then pass --thumbprint (or GOVC_THUMBPRINT)",
  },
  LOGIN_FAILED: {
    meaning: "vCenter rejected the user name or password",
    action: "check the account (user@vsphere.local) and the password file; mind locked accounts",
  },
  SESSION_EXPIRED: {
    meaning: "the vSphere session ended during a long step and could not be renewed",
    action: "re-run the command; check vCenter session limits",
  },
  VM_NOT_FOUND: {
    meaning: "no VM of that name or moref in the inventory the account sees",
    action: "check the name (`vcenter vms`) and the account's permissions",
  },
  VSPHERE_FAULT: {
    meaning: "vSphere answered a call with a fault",
    action: "read the fault in the detail; see the vCenter's tasks and events",
  },
  TASK_FAILED: {
    meaning: "a vSphere task (power, reconfigure, snapshot removal) failed",
    action: "see the task in the vSphere client; re-run once the cause is fixed",
  },
  CBT_NOT_ACTIVE: {
    meaning: "changed block tracking is off, or on but not yet active for a disk",
    action: "run `cbt enable` (it stuns the VM with a snapshot so every disk gets a changeId)",
  },
  CBT_UNSUPPORTED: {
    meaning: "a disk cannot be snapshotted or tracked (independent, physical RDM, shared)",
    action: "change the disk mode in vSphere or migrate that VM cold by other means",
  },
  SNAPSHOT_FAILED: {
    meaning: "the migration snapshot could not be created or removed",
    action: "check datastore space and running consolidations; re-run (an orphaned snapshot of this run is adopted)",
  },
  QCDA_INCOMPLETE: {
    meaning: "QueryChangedDiskAreas did not cover the whole disk",
    action: "re-run the round; if it repeats, reset CBT (the disk is copied in full once)",
  },
  PYVMOMI_MISSING: {
    meaning: "/usr/bin/python3 cannot import pyVmomi",
    action: "install python3-pyvmomi (Rocky 9: dnf install python3-pyvmomi)",
  },
  NODE_TOO_OLD: {
    meaning: "the helper runs on Node.js older than 20",
    action: "Rocky 9: dnf module enable nodejs:20 && dnf install nodejs; Debian: nodejs >= 20",
  },
  WORKDIR_INVALID: {
    meaning:
      "the workdir does not exist, holds no manifest, cannot be created there, or is not private (another owner, writable by group/others)",
    action: "run `init` first, or pass the workdir it printed; `chmod 700` a shared one after checking it",
  },
  WORKDIR_FOREIGN: { meaning: "the directory is not an ablestack-v2k workdir", action: "point --workdir at a directory created by `init`" },
  WORKDIR_EXISTS: { meaning: "init would overwrite an existing migration", action: "continue that migration, or choose another --workdir" },
  WORKDIR_LOCKED: {
    meaning: "another helper process is working on this migration",
    action: "wait for it (`status`), or stop it; a dead holder's lock is taken over",
  },
  MANIFEST_CORRUPT: {
    meaning: "manifest.json does not parse or violates the schema",
    action: "restore manifest.json from manifest.json.bak if present; keep events.log",
  },
  MANIFEST_VERSION: {
    meaning: "the manifest was written by a newer helper",
    action: "use the helper version that created the migration, or a newer one",
  },
  PHASE_ORDER: {
    meaning: "the step is not possible in the migration's phase",
    action: "`status` shows the phase; run the missing step first",
  },
  STEP_OPTIONS_INVALID: {
    meaning: "an option recorded for a step (`step-options`, manifest.stepOptions) is not valid for it: a hand-edited manifest",
    action: "record it again with `step-options STEP --set NAME=VALUE`, or forget the step's options with `step-options STEP --clear`",
  },
  DST_MISSING: {
    meaning: "the destination directory or device does not exist",
    action: "create or mount it, or fix --dst / --target-device",
  },
  DST_TOO_SMALL: {
    meaning: "not enough space or a device smaller than the disk",
    action: "free space, grow the device, or use thin qcow2 targets",
  },
  TOOL_MISSING: {
    meaning: "a program the step needs is not installed",
    action: "install it (preflight lists them: nbdkit, its curl/vddk plugin, qemu-img, virsh)",
  },
  TARGET_FULL: {
    meaning: "the target storage ran out of space (ENOSPC) during a copy",
    action: "free space and re-run: the round restarts from the last committed changeId",
  },
  TARGET_IO: { meaning: "reading or writing the target failed, or a disk shrank", action: "check the storage (dmesg); re-run the step" },
  CEPH_UNREACHABLE: {
    meaning: "the ceph/rbd tools could not reach the cluster with the given ceph.conf and client id (or found no key)",
    action: "check --ceph-conf (monitors, keyring) and --ceph-id; 'ceph -s' with the same options must answer",
  },
  RBD_POOL_MISSING: {
    meaning: "the Ceph pool of an RBD target does not exist",
    action: "create the pool or give another --rbd-pool ('storage pools' lists them)",
  },
  TARGET_EXISTS: {
    meaning: "init found a target file of the new migration's name already there: another or an earlier migration of the VM wrote it",
    action: "continue that migration with its --workdir, or choose another --dst; --force writes over the file",
  },
  RBD_IMAGE_EXISTS: {
    meaning: "an RBD image of a target's name exists",
    action: "choose another name (--target-map-json); --force replaces it only when an earlier ablestack-v2k run created it",
  },
  NETWORK_MISSING: {
    meaning: "a port group's KVM network (libvirt network or bridge) does not exist or is not active; checked before the source goes down",
    action: "map the port group to one 'storage networks' lists, or start the network (virsh net-start NAME), then run the step again",
  },
  NBD_PROTOCOL: {
    meaning: "an NBD peer broke the protocol or sent inconsistent extents",
    action: "re-run; report with the detail when it repeats",
  },
  NBD_SERVER_ERROR: { meaning: "an NBD server answered a request with an error", action: "see the detail (server stderr); re-run" },
  NBD_SOURCE_FAILED: {
    meaning: "reading the VMware disk (nbdkit curl or vddk) failed",
    action: "check the datastore access, VDDK transport and the vCenter's NFC limits; re-run",
  },
  NBD_TARGET_FAILED: {
    meaning: "writing the KVM disk through qemu-nbd failed",
    action: "check the target storage and qemu-nbd's stderr in the detail; re-run",
  },
  PROCESS_FAILED: {
    meaning: "a helper process (nbdkit, qemu-nbd, qemu-img, python3) failed",
    action: "the detail has its command line (secrets removed) and stderr",
  },
  TIMEOUT: {
    meaning: "a step did not finish in its time limit (a server that never got ready, a task that never ended)",
    action: "check the network and the ESXi host; re-run resumes",
  },
  TRANSFER_STALLED: {
    meaning: "a copy or verify made no progress: no request completed within the stall window (10 minutes)",
    action: "the source or target stopped answering: check the network, the ESXi host and the target storage; re-run resumes",
  },
  SOURCE_RUNNING: {
    meaning: "the VMware VM is powered on where it must be off",
    action: "shut it down, or let cutover do it (--shutdown guest|poweroff)",
  },
  SHUTDOWN_TIMEOUT: {
    meaning: "the guest did not shut down within --shutdown-timeout",
    action: "check VMware Tools in the guest; re-run with a longer timeout or --shutdown poweroff",
  },
  DOMAIN_XML_INVALID: {
    meaning: "the generated domain XML failed virt-xml-validate",
    action: "see the detail; the domain was not defined",
  },
  VIRSH_FAILED: {
    meaning: "libvirt refused a call (define, start, undefine), or a foreign domain has the name or uuid",
    action: "read libvirt's message; --domain-name / --uuid new avoid clashes",
  },
  LIBVIRT_UNAVAILABLE: {
    meaning: "libvirtd (or virtqemud) is not running or does not answer; a cutover checks it before the source goes down",
    action: "start libvirtd, check `virsh list`, re-run the same command: it resumes where it stopped",
  },
  CONVERSION_FAILED: {
    meaning: "virt-v2v-in-place failed on the overlays; the copied disks are unchanged",
    action: "read WORKDIR/convert.log (its tail is in the detail); re-run cutover, roll back, or cut over with --convert none",
  },
  VERIFY_MISMATCH: {
    meaning: "target and source differ at the reported disk and offset",
    action: "do not start the VM; run an incremental or a full re-copy of that disk, then verify again",
  },
  PREFLIGHT_NO_GO: {
    meaning: "run stopped: a preflight check failed, nothing was changed",
    action: "fix the failing checks (`preflight` lists them) and run again",
  },
  LAB_NOT_RUNNING: { meaning: "no lab serves that directory", action: "`lab start --dir D`" },
  LAB_STATE_INVALID: { meaning: "the lab's state files are damaged", action: "stop the lab and remove its directory, then start it again" },
  LAB_ALREADY_RUNNING: { meaning: "a lab process already serves that directory", action: "use it, or `lab stop --dir D` first" },
  ADMIN_REQUIRED: {
    meaning: "the Cockpit session has no administrative access",
    action: "turn on administrative access in Cockpit (top bar)",
  },
  HELPER_OUTPUT_INVALID: {
    meaning: "the page could not understand the helper's output",
    action: "install page and helper from the same package version",
  },
};
