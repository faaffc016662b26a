// Stable error codes shared by the helper (which raises them) and the page (which shows them).
// A code never changes meaning once released; add new ones instead.
import { z } from "zod";

export const errorCodes = [
  "USAGE", // bad command line or option value
  "INTERNAL", // a bug: anything not mapped to a code below
  "CANCELLED", // the operation was interrupted (signal, user cancel)
  // vCenter / vSphere
  "VCENTER_UNREACHABLE",
  "TLS_UNTRUSTED",
  "LOGIN_FAILED",
  "SESSION_EXPIRED",
  "VM_NOT_FOUND",
  "VSPHERE_FAULT",
  "TASK_FAILED",
  "CBT_NOT_ACTIVE",
  "CBT_UNSUPPORTED",
  "SNAPSHOT_FAILED",
  "QCDA_INCOMPLETE",
  "PYVMOMI_MISSING",
  "NODE_TOO_OLD", // the helper runs on a Node.js older than it needs
  // workdir / state
  "WORKDIR_INVALID",
  "WORKDIR_FOREIGN",
  "WORKDIR_EXISTS",
  "WORKDIR_LOCKED",
  "MANIFEST_CORRUPT",
  "MANIFEST_VERSION",
  "PHASE_ORDER",
  "STEP_OPTIONS_INVALID", // an option recorded with step-options (manifest.stepOptions) is not valid for its step
  // host / target
  "DST_MISSING",
  "DST_TOO_SMALL",
  "TOOL_MISSING",
  "TARGET_FULL",
  "TARGET_IO",
  "CEPH_UNREACHABLE", // the ceph/rbd CLI could not talk to the cluster with the given conf and id
  "RBD_POOL_MISSING",
  "RBD_IMAGE_EXISTS", // an RBD image of the target's name exists and is not this run's
  "TARGET_EXISTS", // a target file of the new run's name exists (another or an earlier migration wrote it)
  // data path
  "NBD_PROTOCOL",
  "NBD_SERVER_ERROR",
  "NBD_SOURCE_FAILED",
  "NBD_TARGET_FAILED",
  "PROCESS_FAILED",
  "TIMEOUT",
  "TRANSFER_STALLED", // a copy or verify where no request completed within the stall window (hung source or target)
  // cutover and after
  "SOURCE_RUNNING",
  "SHUTDOWN_TIMEOUT",
  "DOMAIN_XML_INVALID",
  "VIRSH_FAILED",
  "LIBVIRT_UNAVAILABLE", // libvirtd is not running or does not answer (crashed, restarting)
  "CONVERSION_FAILED", // virt-v2v-in-place failed: the copied disks are left as copied
  "VERIFY_MISMATCH",
  "NETWORK_MISSING", // a mapped KVM network or bridge does not exist or is not active (checked before the source goes down)
  "PREFLIGHT_NO_GO", // run: a preflight check failed, nothing was changed
  // lab
  "LAB_NOT_RUNNING",
  "LAB_STATE_INVALID",
  "LAB_ALREADY_RUNNING", // a lab process already serves that directory
  // the Cockpit page
  "ADMIN_REQUIRED", // the page has no administrative access (Cockpit superuser)
  "HELPER_OUTPUT_INVALID", // the helper's output did not match the shared schemas
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** What crosses process boundaries (JSON result line, events.log, the page). */
export const ErrorInfo = z.object({
  code: ErrorCode,
  message: z.string(),
  hint: z.string(),
  detail: z.string().optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;
