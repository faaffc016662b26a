// Preflight's firmware checks: the host has the UEFI firmware the domain will ask libvirt for, and a firmware
// chosen with --firmware that differs from the VMware VM's is a warning saying why the guest may not boot.
import { type FirmwareChoice, domainFirmware, isUefi } from "../../shared/firmware";
import { say } from "../../shared/i18n/lang";
import { TOOL_PACKAGES, findUefiFirmware } from "../host/tools";
import { firmwareChoiceWarning } from "../libvirt/firmware-choice";

export interface FirmwareCheck {
  id: "firmware" | "firmware-choice";
  title: string;
  status: "pass" | "warn";
  reason: string;
}

/** The firmware check (the domain's firmware on this host) and, for a changed choice, the choice's warning. */
export function firmwareChecks(vm: { firmware: string; secureBoot: boolean }, choice: FirmwareChoice = "auto"): FirmwareCheck[] {
  const firmware = domainFirmware(vm, choice);
  const checks: FirmwareCheck[] = [hostFirmwareCheck(firmware === "efi-secure", isUefi(firmware))];
  const warning = firmwareChoiceWarning(vm, choice);
  if (warning) checks.push({ id: "firmware-choice", title: say("Firmware choice", "펌웨어 선택"), status: "warn", reason: warning });
  return checks;
}

function hostFirmwareCheck(secureBoot: boolean, uefi: boolean): FirmwareCheck {
  const title = say("Firmware", "펌웨어");
  if (!uefi) return { id: "firmware", title, status: "pass", reason: "BIOS" };
  // the firmware libvirt's autoselection would pick for our domain XML
  const have = findUefiFirmware(secureBoot);
  return {
    id: "firmware",
    title,
    status: have ? "pass" : "warn",
    reason:
      `UEFI${secureBoot ? say(" with secure boot", "(보안 부팅)") : ""}: ` +
      (have
        ? say(`firmware present on this host (${have})`, `이 호스트에 펌웨어 있음(${have})`)
        : say(`install ${TOOL_PACKAGES["uefi-firmware"]}`, `${TOOL_PACKAGES["uefi-firmware"]}을(를) 설치하세요`)),
  };
}
