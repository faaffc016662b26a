// What the wizard collects, step by step. The password lives only here and in AppState's memory.
import { type VcenterVm, type PreflightResult, type VcenterProbeResult } from "../../../shared/results";

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
  format: "qcow2" | "raw";
  transport: "vddk" | "http";
  networkMap: Record<string, string>;
  preflight: PreflightResult | null;
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
  format: "qcow2",
  transport: "http",
  networkMap: {},
  preflight: null,
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
