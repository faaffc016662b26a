// The KVM domain's firmware: the admin's choice (--firmware) against the VMware VM's. One decision for the
// domain XML, the conversion's input, preflight's warning and the page's VM settings.

export const FIRMWARE_CHOICES = ["auto", "bios", "efi", "efi-secure"] as const;
export type FirmwareChoice = (typeof FIRMWARE_CHOICES)[number];
/** What the domain boots with: BIOS, UEFI without secure boot, UEFI with secure boot (Microsoft keys enrolled). */
export type Firmware = Exclude<FirmwareChoice, "auto">;

/** The VMware VM's firmware as the inventory ("bios", "efi") and the manifest record it. */
export interface SourceFirmware {
  firmware: string;
  secureBoot: boolean;
}

export function sourceFirmware(vm: SourceFirmware): Firmware {
  if (vm.firmware !== "efi") return "bios";
  return vm.secureBoot ? "efi-secure" : "efi";
}

/** auto: the VMware VM's firmware; anything else as chosen. */
export function domainFirmware(vm: SourceFirmware, choice: FirmwareChoice = "auto"): Firmware {
  return choice === "auto" ? sourceFirmware(vm) : choice;
}

export function isUefi(f: Firmware): boolean {
  return f !== "bios";
}

/**
 * How the chosen firmware differs from the VMware VM's, or null when it does not. A boot loader is installed for
 * one firmware: another boots only when the disk carries a loader for it too (hybrid images); secure boot on
 * starts only signed loaders.
 */
export type FirmwareChange = "bios-to-uefi" | "uefi-to-bios" | "secure-boot-on" | "secure-boot-off";

export function firmwareChange(vm: SourceFirmware, choice: FirmwareChoice = "auto"): FirmwareChange | null {
  const from = sourceFirmware(vm);
  const to = domainFirmware(vm, choice);
  if (from === to) return null;
  if (from === "bios") return "bios-to-uefi";
  if (to === "bios") return "uefi-to-bios";
  return to === "efi-secure" ? "secure-boot-on" : "secure-boot-off";
}
