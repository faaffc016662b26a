// What the wizard collects, step by step. The password lives only here and in AppState's memory.
import { type ErrorInfo } from "../../../shared/errors";
import { type VcenterVm, type PreflightResult, type VcenterProbeResult } from "../../../shared/results";
import { defaultImageName } from "../../../shared/rbd-names";
import { type TargetChoice } from "../../host/api";

export interface WizardData {
  url: string;
  username: string;
  password: string;
  probe: VcenterProbeResult | null;
  thumbprintConfirmed: boolean;
  vms: VcenterVm[] | null;
  vmName: string;
  dst: string;
  dstEdited: boolean;
  storage: "file" | "block" | "rbd";
  /** block: a device per disk, by disk index. */
  devices: string[];
  rbdPool: string;
  format: "qcow2" | "raw";
  transport: "vddk" | "http";
  networkMap: Record<string, string>;
  preflight: PreflightResult | null;
  /** Why the last preflight could not run (the helper's error), until the checks run again. */
  preflightError: ErrorInfo | null;
}

export const emptyWizardData: WizardData = {
  url: "",
  username: "",
  password: "",
  probe: null,
  thumbprintConfirmed: false,
  vms: null,
  vmName: "",
  dst: "",
  dstEdited: false,
  storage: "file",
  devices: [],
  rbdPool: "",
  format: "qcow2",
  transport: "http",
  networkMap: {},
  preflight: null,
  preflightError: null,
};

export function defaultDestination(vm: string): string {
  return `/var/lib/libvirt/images/${vm.replace(/[^A-Za-z0-9._-]/g, "_")}`;
}

/** https://host[:port]/sdk from what an admin types ("vc01", "vc01:8443", "https://vc01/sdk"). */
export function normalizeVcenterUrl(input: string): string {
  const raw = input.trim();
  if (raw === "") return "";
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  try {
    const u = new URL(withScheme);
    return `https://${u.host}${u.pathname && u.pathname !== "/" ? u.pathname : "/sdk"}`;
  } catch {
    return raw;
  }
}

export type StepProps = {
  data: WizardData;
  update: (patch: Partial<WizardData>) => void;
  /** Enter in the step's form: the same as Next. */
  onSubmit?: () => void;
};

export function vmNetworks(d: WizardData): string[] {
  return d.vms?.find((vm) => vm.name === d.vmName)?.networks ?? [];
}

export function vmDisks(d: WizardData): VcenterVm["disks"] {
  return d.vms?.find((vm) => vm.name === d.vmName)?.disks ?? [];
}

/** "pool/image" of every disk, as init names them. */
export function plannedImages(d: WizardData): string[] {
  return vmDisks(d).map((_disk, i) => `${d.rbdPool}/${defaultImageName(d.vmName, i)}`);
}

/** What preflight and init are asked for. */
export function targetChoice(d: WizardData): TargetChoice {
  return {
    vm: d.vmName,
    storage: d.storage,
    dst: d.dst,
    devices: vmDisks(d).map((_disk, i) => d.devices[i] ?? ""),
    rbdPool: d.rbdPool,
    format: d.format,
    transport: d.transport,
    networkMap: effectiveNetworkMap(d),
  };
}

/** Port group -> network for every network of the VM, as chosen (the host default preselected). */
export function effectiveNetworkMap(d: WizardData): Record<string, string> {
  return Object.fromEntries(vmNetworks(d).flatMap((pg) => (d.networkMap[pg] ? [[pg, d.networkMap[pg]]] : [])));
}
