// The preflight line that says which conversion a VM will get at cutover (with --convert auto) and why.
import { locateVirtV2vInPlace, locateVirtioWin } from "./locate";
import { type HostConversionTools, planConversion } from "./plan";
import { say } from "../../shared/i18n/lang";

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
  const bus = p.virtio
    ? say("virtio disks and NIC", "virtio 디스크와 NIC")
    : say("SATA disks and an e1000e NIC", "SATA 디스크와 e1000e NIC");
  const warning = p.warning ? `. ${p.warning.message}` : "";
  return {
    id: "conversion",
    title: say("Guest conversion at cutover", "컷오버 때 게스트 변환"),
    status: p.warning ? "warn" : "pass",
    reason: say(`${p.reason}; the KVM domain gets ${bus}${warning}`, `${p.reason}. KVM 도메인은 ${bus}을(를) 씁니다${warning}`),
  };
}
