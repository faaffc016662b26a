// The one place where pyvmomi faults become ablestack-v2k errors.
import { type ErrorCode } from "../../shared/errors";
import { V2kError } from "../../shared/v2k-error";
import { type BridgeErrorReply } from "./replies";

/** A vSphere failure: a V2kError that still knows the vSphere fault name and the operation. */
export class VsphereFault extends V2kError {
  constructor(
    code: ErrorCode,
    message: string,
    hint: string,
    readonly fault: string,
    readonly op: string,
  ) {
    super(code, message, hint, { detail: `${op}: ${fault}` });
  }
}

export function mapBridgeError(op: string, e: BridgeErrorReply, target: string): VsphereFault {
  const msg = `${e.message || e.fault}`;
  const make = (code: ErrorCode, message: string, hint: string) => new VsphereFault(code, message, hint, e.fault, op);
  switch (e.kind) {
    case "pyvmomi-missing":
      return make("PYVMOMI_MISSING", `pyvmomi cannot be imported by /usr/bin/python3: ${msg}`, "Install python3-pyvmomi (make deps).");
    case "login-failed":
      return make(
        "LOGIN_FAILED",
        `vCenter login as the given user failed: ${msg}`,
        "Check GOVC_USERNAME and the password (GOVC_PASSWORD, --password-file or --password-stdin).",
      );
    case "unreachable":
      return make("VCENTER_UNREACHABLE", `vCenter ${target} is unreachable: ${msg}`, "Check the URL, DNS and firewall; then re-run.");
    case "tls-untrusted":
      return make(
        "TLS_UNTRUSTED",
        `vCenter certificate not trusted: ${msg}`,
        "Pin the thumbprint in the GOVC_TLS_KNOWN_HOSTS file or GOVC_THUMBPRINT (see 'preflight'), or set GOVC_INSECURE=1 knowingly.",
      );
    case "vm-not-found":
      return make("VM_NOT_FOUND", msg, "Check the VM name (exact, case-sensitive) with 'govc ls' or the vSphere client.");
    case "vm-ambiguous":
      return make("VM_NOT_FOUND", msg, "Rename one of the VMs so the name is unique.");
    case "snapshot-not-found":
      return make("SNAPSHOT_FAILED", msg, "The snapshot was removed outside ablestack-v2k; re-run the snapshot step.");
    case "qcda-incomplete":
      return make(
        "QCDA_INCOMPLETE",
        `changed-area query did not cover the disk: ${msg}`,
        "Re-run the sync; if it persists the disk is rebased with a full copy.",
      );
    case "timeout":
      return make("TIMEOUT", msg, "The vCenter task is still running or stuck; check it in the vSphere client and re-run.");
    case "task-failed":
      if (op === "snapshotCreate" || op === "snapshotRemove") {
        return make(
          "SNAPSHOT_FAILED",
          msg,
          "Check the VM's snapshot manager and datastore free space in vSphere, then re-run (the step resumes).",
        );
      }
      return make("TASK_FAILED", msg, "See the task in the vSphere client's recent tasks, fix the cause and re-run.");
  }
  switch (e.fault) {
    case "NotAuthenticated":
      return make(
        "SESSION_EXPIRED",
        `vCenter session expired and re-login failed: ${msg}`,
        "Check that the credentials are still valid and re-run.",
      );
    case "ManagedObjectNotFound":
      return make(
        op === "snapshotRemove" || op === "snapshotDisks" ? "SNAPSHOT_FAILED" : "VM_NOT_FOUND",
        `${op}: object no longer exists: ${msg}`,
        "The VM or snapshot was removed or re-registered in vCenter; check the inventory.",
      );
    case "ToolsUnavailable":
      return make(
        "VSPHERE_FAULT",
        `guest shutdown needs VMware Tools running: ${msg}`,
        "Start VMware Tools in the guest, or use --shutdown poweroff.",
      );
    case "InvalidPowerState":
      return make("VSPHERE_FAULT", `the VM is in the wrong power state for ${op}: ${msg}`, "Check the VM's power state and re-run.");
    case "MethodNotFound":
    case "NotSupported":
      if (op === "qcda") {
        return make(
          "CBT_UNSUPPORTED",
          `this vCenter/ESXi does not offer QueryChangedDiskAreas: ${msg}`,
          "Changed block tracking needs vSphere 4.0+ with a licence that includes the vStorage APIs; without it use a cold migration.",
        );
      }
      break;
    case "FileFault":
    case "InvalidArgument":
      if (op === "qcda") {
        return make(
          "CBT_NOT_ACTIVE",
          `changed block tracking cannot answer for this disk: ${msg}`,
          "Run 'ablestack_v2k cbt enable'; a reset CBT makes the next round a full copy of that disk.",
        );
      }
  }
  return make(
    "VSPHERE_FAULT",
    `vSphere fault ${e.fault} in ${op}: ${msg}`,
    "See the vSphere client for the object's state; re-run the command when fixed.",
  );
}
