// The UEFI firmware a domain asks libvirt for must be on this host before the cutover shuts the source down:
// libvirt's firmware autoselection fails only at define, when the VMware VM is already off.
import { type Firmware, isUefi } from "../../shared/firmware";
import { V2kError } from "../../shared/v2k-error";
import { FIRMWARE_DESCRIPTOR_DIRS, TOOL_PACKAGES, findUefiFirmware } from "../host/tools";

/** Throws TOOL_MISSING when the domain boots UEFI and no QEMU firmware descriptor on this host offers it. */
export function requireHostFirmware(firmware: Firmware, dirs: readonly string[] = FIRMWARE_DESCRIPTOR_DIRS): void {
  if (!isUefi(firmware)) return;
  const secureBoot = firmware === "efi-secure";
  if (findUefiFirmware(secureBoot, dirs)) return;
  throw new V2kError(
    "TOOL_MISSING",
    `no UEFI firmware${secureBoot ? " with secure boot and enrolled keys" : " without secure boot"} for QEMU on this host ` +
      `(no descriptor in ${dirs.join(", ")}); the VMware VM keeps running`,
    `Install ${TOOL_PACKAGES["uefi-firmware"]}, or choose another --firmware, then run the cutover again.`,
  );
}
