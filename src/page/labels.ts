// Translated names for phases, steps, actions and error codes. Each string is a literal gettext
// call so that po extraction (xgettext-style, see po/) finds it.
import { type ErrorCode } from "../shared/errors";
import { type Phase } from "../shared/manifest";
import { _ } from "./i18n";
import { type ActionId, type StepId } from "./state/derive";

export function phaseLabel(phase: Phase): string {
  switch (phase) {
    case "initialized":
      return _("Initialized");
    case "cbt-enabled":
      return _("CBT enabled");
    case "base-synced":
      return _("Base copied");
    case "incr-synced":
      return _("Changes synced");
    case "cutover-running":
      return _("Cutover running");
    case "final-synced":
      return _("Final sync done");
    case "defined":
      return _("Defined on KVM");
    case "started":
      return _("Running on KVM");
    case "rolled-back":
      return _("Rolled back");
    case "cleaned":
      return _("Cleaned up");
  }
}

export function stepLabel(step: StepId): string {
  switch (step) {
    case "preflight":
      return _("Preflight");
    case "init":
      return _("Inventory");
    case "cbt":
      return _("CBT");
    case "base":
      return _("Base copy");
    case "incr":
      return _("Incremental rounds");
    case "cutover":
      return _("Cutover");
    case "convert":
      return _("Conversion");
    case "verify":
      return _("Verify");
    case "start":
      return _("Start on KVM");
    case "cleanup":
      return _("Cleanup");
  }
}

export function actionLabel(action: ActionId): string {
  switch (action) {
    case "cbt-enable":
      return _("Enable CBT");
    case "sync-base":
      return _("Copy base");
    case "sync-incr":
      return _("Sync changes");
    case "auto-sync":
      return _("Sync until ready");
    case "cutover":
      return _("Cut over");
    case "schedule-cutover":
      return _("Schedule cutover");
    case "verify":
      return _("Verify");
    case "start":
      return _("Start on KVM");
    case "cleanup":
      return _("Clean up");
    case "rollback":
      return _("Roll back");
    case "retry":
      return _("Retry migration");
    case "delete":
      return _("Delete migration");
  }
}

/** Every code has its summary (a new code without one does not compile). */
const summaries: Record<ErrorCode, () => string> = {
  USAGE: () => _("The helper rejected the request"),
  INTERNAL: () => _("Internal error in the helper"),
  CANCELLED: () => _("The operation was cancelled"),
  VCENTER_UNREACHABLE: () => _("The vCenter cannot be reached"),
  TLS_UNTRUSTED: () => _("The vCenter certificate is not trusted"),
  LOGIN_FAILED: () => _("vCenter login failed"),
  SESSION_EXPIRED: () => _("The vCenter session expired"),
  VM_NOT_FOUND: () => _("The VM was not found"),
  VSPHERE_FAULT: () => _("vSphere reported a fault"),
  TASK_FAILED: () => _("A vSphere task failed"),
  CBT_NOT_ACTIVE: () => _("Changed block tracking is not active"),
  CBT_UNSUPPORTED: () => _("This VM cannot use changed block tracking"),
  SNAPSHOT_FAILED: () => _("The snapshot could not be taken"),
  QCDA_INCOMPLETE: () => _("The changed areas of a disk were incomplete"),
  PYVMOMI_MISSING: () => _("pyvmomi is not installed on this host"),
  NODE_TOO_OLD: () => _("The Node.js on this host is too old for the helper"),
  WORKDIR_INVALID: () => _("The workdir is not usable"),
  WORKDIR_FOREIGN: () => _("The directory is not an ablestack-v2k workdir"),
  WORKDIR_EXISTS: () => _("The workdir already exists"),
  WORKDIR_LOCKED: () => _("Another operation is running on this migration"),
  MANIFEST_CORRUPT: () => _("The migration's manifest is damaged"),
  MANIFEST_VERSION: () => _("The manifest was written by another version"),
  PHASE_ORDER: () => _("This step is not possible in the current phase"),
  STEP_OPTIONS_INVALID: () => _("An option recorded for this step is not valid"),
  DST_MISSING: () => _("The destination does not exist"),
  DST_TOO_SMALL: () => _("Not enough space at the destination"),
  TOOL_MISSING: () => _("A required program is missing"),
  TARGET_FULL: () => _("The target storage is full"),
  TARGET_IO: () => _("Writing the target failed"),
  CEPH_UNREACHABLE: () => _("The Ceph cluster cannot be reached"),
  RBD_POOL_MISSING: () => _("The Ceph pool does not exist"),
  RBD_IMAGE_EXISTS: () => _("A Ceph image of that name already exists"),
  TARGET_EXISTS: () => _("A target file of that name already exists"),
  NBD_PROTOCOL: () => _("The disk transfer failed (protocol)"),
  NBD_SERVER_ERROR: () => _("The disk transfer failed (server)"),
  NBD_SOURCE_FAILED: () => _("Reading the VMware disk failed"),
  NBD_TARGET_FAILED: () => _("Writing the KVM disk failed"),
  PROCESS_FAILED: () => _("A helper process failed"),
  TIMEOUT: () => _("The operation timed out"),
  TRANSFER_STALLED: () => _("The disk transfer stalled"),
  SOURCE_RUNNING: () => _("The VMware VM is still running"),
  SHUTDOWN_TIMEOUT: () => _("The guest did not shut down in time"),
  DOMAIN_XML_INVALID: () => _("The KVM domain definition is invalid"),
  VIRSH_FAILED: () => _("libvirt reported an error"),
  LIBVIRT_UNAVAILABLE: () => _("libvirt is not running on this host"),
  CONVERSION_FAILED: () => _("Guest conversion failed"),
  VERIFY_MISMATCH: () => _("Verification found differences"),
  NETWORK_MISSING: () => _("A KVM network for the VM does not exist or is not active"),
  PREFLIGHT_NO_GO: () => _("Preflight found a problem: nothing was changed"),
  LAB_NOT_RUNNING: () => _("The lab is not running"),
  LAB_STATE_INVALID: () => _("The lab state is invalid"),
  LAB_ALREADY_RUNNING: () => _("The lab is already running"),
  ADMIN_REQUIRED: () => _("Administrative access is required"),
  HELPER_OUTPUT_INVALID: () => _("The helper's answer was not understood"),
};

export function errorSummary(code: ErrorCode): string {
  return summaries[code]?.() ?? _("The operation failed"); // a newer helper's code
}
