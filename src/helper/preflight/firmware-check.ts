// Preflight's firmware checks: the host has the UEFI firmware the domain will ask libvirt for, and a firmware
// chosen with --firmware that differs from the VMware VM's is a warning saying why the guest may not boot.
import { type Firmware, type FirmwareChoice, domainFirmware } from "../../shared/firmware";
import { say } from "../../shared/i18n/lang";
import { firmwareChoiceWarning } from "../libvirt/firmware-choice";
import { hostFirmware } from "../libvirt/host-firmware";

export interface FirmwareCheck {
  id: "firmware" | "firmware-choice";
  title: string;
  status: "pass" | "warn";
  reason: string;
}

/** The firmware check (the domain's firmware on this host) and, for a changed choice, the choice's warning. */
export function firmwareChecks(vm: { firmware: string; secureBoot: boolean }, choice: FirmwareChoice = "auto"): FirmwareCheck[] {
  const firmware = domainFirmware(vm, choice);
  const checks: FirmwareCheck[] = [hostFirmwareCheck(firmware)];
  const warning = firmwareChoiceWarning(vm, choice);
  if (warning) checks.push({ id: "firmware-choice", title: say("Firmware choice", "펌웨어 선택"), status: "warn", reason: warning });
  return checks;
}

function hostFirmwareCheck(firmware: Firmware): FirmwareCheck {
  const host = hostFirmware(firmware);
  return { id: "firmware", title: say("Firmware", "펌웨어"), status: host.present ? "pass" : "warn", reason: host.reason };
}
