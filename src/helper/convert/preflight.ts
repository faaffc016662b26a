// The preflight line that says which conversion a VM will get at cutover (with --convert auto) and why.
import { locateVirtV2vInPlace, locateVirtioWin } from "./locate";
import { type HostConversionTools, planConversion } from "./plan";

export interface ConversionCheck {
  id: "conversion";
  title: string;
  status: "pass" | "warn";
  reason: string;
}

export function conversionCheck(
  isWindows: boolean,
  tools: HostConversionTools = { virtV2vInPlace: locateVirtV2vInPlace(), virtioWin: locateVirtioWin() },
): ConversionCheck {
  const p = planConversion("auto", isWindows, tools);
  const bus = p.virtio ? "virtio disks and NIC" : "SATA disks and an e1000e NIC";
  return {
    id: "conversion",
    title: "Guest conversion at cutover",
    status: p.warning ? "warn" : "pass",
    reason: `${p.reason}; the KVM domain gets ${bus}${p.warning ? `. ${p.warning.message}` : ""}`,
  };
}
