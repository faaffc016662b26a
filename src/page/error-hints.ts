// The next step for every error code, in the page's language. The helper speaks English and its hint names the
// exact paths and commands; a page in another language shows this translated hint and keeps the helper's own
// words under "show more". Each string is a literal gettext call (po extraction finds it).
import { type ErrorCode } from "../shared/errors";
import { _, pageLocale } from "./i18n";

/** Every code has its hint (a new code without one does not compile). */
const hints: Record<ErrorCode, () => string> = {
  USAGE: () => _("Check the options given; the helper's message says which one it refused."),
  INTERNAL: () => _("This is a fault in the helper: report it with the workdir's events.log."),
  CANCELLED: () => _("Nothing already synced is lost: run the step again to continue from the workdir."),
  VCENTER_UNREACHABLE: () => _("Check the vCenter address, the network and the firewall from this host, then try again."),
  TLS_UNTRUSTED: () => _("Confirm the vCenter certificate's thumbprint out of band and trust it, then try again."),
  LOGIN_FAILED: () => _("Check the vCenter user name and password."),
  SESSION_EXPIRED: () => _("Run the step again: it logs in anew and continues from the workdir."),
  VM_NOT_FOUND: () => _("Check the VM's name in vCenter; it may have been renamed or removed."),
  VSPHERE_FAULT: () => _("See the vCenter's message below; fix the cause in vSphere and run the step again."),
  TASK_FAILED: () => _("See the vSphere task's message below and the VM's events in vCenter, then run the step again."),
  CBT_NOT_ACTIVE: () => _("Power the VM on (or take and remove a snapshot) so vSphere activates tracking, then enable CBT again."),
  CBT_UNSUPPORTED: () => _("This VM cannot track changes (old virtual hardware or disk type): migrate it another way."),
  SNAPSHOT_FAILED: () => _("Check the VM's snapshots and datastore space in vCenter, then run the step again."),
  QCDA_INCOMPLETE: () => _("Run the round again; if it repeats, the next round copies the disk in full."),
  PYVMOMI_MISSING: () => _("Install python3-pyvmomi on this host."),
  NODE_TOO_OLD: () => _("Install a newer Node.js on this host (the package's dependencies name the version)."),
  WORKDIR_INVALID: () => _("Check the workdir's path and permissions; it may have been removed."),
  WORKDIR_FOREIGN: () => _("Choose a directory that holds an ablestack-v2k migration."),
  WORKDIR_EXISTS: () => _("Continue the existing migration, or start a new one in another directory."),
  WORKDIR_LOCKED: () => _("Wait for the running operation to end, or cancel it, then try again."),
  MANIFEST_CORRUPT: () => _("The manifest cannot be read: restore it from a backup or start a new migration."),
  MANIFEST_VERSION: () => _("Use the ablestack-v2k version that wrote this migration, or a newer one."),
  PHASE_ORDER: () => _("Run the step the timeline shows as next."),
  STEP_OPTIONS_INVALID: () => _("Open the step's options, correct or clear them, then run the step again."),
  DST_MISSING: () => _("Create the destination directory (or choose another), then try again."),
  DST_TOO_SMALL: () => _("Free space at the destination or choose a larger one."),
  TOOL_MISSING: () => _("Install the missing program on this host (the message names it)."),
  TARGET_FULL: () => _("Free space at the target, then run the step again."),
  TARGET_IO: () => _("Check the target storage (disk errors, permissions, the Ceph cluster), then run the step again."),
  CEPH_UNREACHABLE: () => _("Check the Ceph configuration, keyring and monitors from this host."),
  RBD_POOL_MISSING: () => _("Create the pool or choose an existing one."),
  RBD_IMAGE_EXISTS: () => _("Remove the image, or choose another pool or name."),
  TARGET_EXISTS: () => _("Remove the file, or choose another destination."),
  NBD_PROTOCOL: () => _("Run the step again; if it repeats, report it with the workdir's events.log."),
  NBD_SERVER_ERROR: () => _("Run the step again; the message below says which side failed."),
  NBD_SOURCE_FAILED: () => _("Check access to the VMware datastore from this host, then run the step again."),
  NBD_TARGET_FAILED: () => _("Check the target storage, then run the step again."),
  PROCESS_FAILED: () => _("See the program's output below and the workdir's logs."),
  TIMEOUT: () => _("Run the step again; if it repeats, check the load of this host and of vCenter."),
  TRANSFER_STALLED: () => _("Check the network to the ESXi host, then run the step again: it continues where it stopped."),
  SOURCE_RUNNING: () => _("Shut the VMware VM down (or let the cutover do it), then try again."),
  SHUTDOWN_TIMEOUT: () => _("Shut the guest down yourself or cut over with power off; the cutover continues from there."),
  DOMAIN_XML_INVALID: () => _("Check the KVM settings in the step options (name, CPUs, memory, network)."),
  VIRSH_FAILED: () => _("See libvirt's message below; fix the cause and run the step again."),
  LIBVIRT_UNAVAILABLE: () => _("Start libvirtd on this host, then run the step again."),
  CONVERSION_FAILED: () => _("Read the conversion log, fix the cause and run the cutover again, or cut over without conversion."),
  VERIFY_MISMATCH: () => _("Run another incremental sync and verify again; do not start the KVM domain until it matches."),
  NETWORK_MISSING: () => _("Create or start the libvirt network, or map the port group to an existing one."),
  PREFLIGHT_NO_GO: () => _("Fix the failed checks listed by preflight, then try again: nothing was changed."),
  LAB_NOT_RUNNING: () => _("Start the lab first."),
  LAB_STATE_INVALID: () => _("Stop the lab and start it on a fresh directory."),
  LAB_ALREADY_RUNNING: () => _("Use the running lab, or stop it first."),
  ADMIN_REQUIRED: () => _("Turn on administrative access in Cockpit (the lock in the top bar)."),
  HELPER_OUTPUT_INVALID: () => _("The page and the helper may be of different versions: reinstall the package."),
};

/** The translated hint on a page that is not in English (the helper's English stays under "show more"), else null. */
export function translatedHint(code: ErrorCode): string | null {
  if (pageLocale().startsWith("en")) return null;
  return hints[code]?.() ?? null; // a newer helper's code: its own hint
}

/** Every code's hint (for the table's test). */
export function hintOf(code: ErrorCode): string {
  return hints[code]();
}
