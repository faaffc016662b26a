// The wizard's steps and, for each, why it cannot be left yet: the footer's primary button is disabled
// exactly when a step has a reason, and the page shows that reason beside it.
import { _ } from "../../i18n";
import { vmDisks, vmNetworks, type WizardData } from "./wizard-data";

export type StepId = "connect" | "vm" | "target" | "preflight";

export interface WizardStep {
  id: StepId;
  title: () => string;
  /** Why Next (or Create) is refused on this step, or null when the step is done. */
  blocker: (d: WizardData) => string | null;
}

function connectBlocker(d: WizardData): string | null {
  if (!d.probe) return _("Check the certificate of the vCenter address first.");
  if (!d.thumbprintConfirmed) return _("Confirm that you trust the certificate's thumbprint.");
  if (d.username.trim() === "" || d.password === "") return _("Enter the user and the password.");
  return null;
}

function vmBlocker(d: WizardData): string | null {
  return d.vmName.trim() === "" ? _("Choose the VM to migrate.") : null;
}

function targetBlocker(d: WizardData): string | null {
  if (d.storage === "rbd" && d.rbdPool === "") return _("Choose a Ceph pool.");
  if (d.storage !== "rbd" && !d.dst.startsWith("/")) return _("The destination directory must be an absolute path.");
  if (d.storage === "block" && !vmDisks(d).every((_disk, i) => !!d.devices[i]?.startsWith("/"))) {
    return _("Give every disk a block device path (/dev/...).");
  }
  if (!vmNetworks(d).every((pg) => !!d.networkMap[pg])) return _("Choose a KVM network for every port group.");
  return null;
}

function preflightBlocker(d: WizardData): string | null {
  if (d.preflightError) return _("Preflight could not run: read the error, then run the checks again.");
  if (!d.preflight) return _("Preflight is running: the migration can be created after its Go.");
  if (!d.preflight.go) return _("Preflight said No-Go: fix the failed checks, then run them again.");
  return null;
}

export const wizardSteps: readonly WizardStep[] = [
  { id: "connect", title: () => _("vCenter"), blocker: connectBlocker },
  { id: "vm", title: () => _("VM"), blocker: vmBlocker },
  { id: "target", title: () => _("Target"), blocker: targetBlocker },
  { id: "preflight", title: () => _("Preflight"), blocker: preflightBlocker },
];

export const connectStepDone = (d: WizardData): boolean => connectBlocker(d) === null;
export const targetStepDone = (d: WizardData): boolean => targetBlocker(d) === null;
