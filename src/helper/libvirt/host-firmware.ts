// The UEFI firmware a domain asks libvirt for must be on this host: preflight says so as a check, and the cutover
// refuses before it shuts the source down (libvirt's firmware autoselection fails only at define, when the VMware
// VM is already off). Both say it with the one wording below.
import { type Firmware, isUefi } from "../../shared/firmware";
import { say } from "../../shared/i18n/lang";
import { V2kError } from "../../shared/v2k-error";
import { FIRMWARE_DESCRIPTOR_DIRS, TOOL_PACKAGES, findUefiFirmware } from "../host/tools";

export interface HostFirmware {
  /** BIOS, or a QEMU firmware descriptor libvirt can pick for the domain's UEFI kind. */
  present: boolean;
  reason: string;
}

/** Whether this host offers the firmware a domain booting `firmware` asks for, and what to do when it does not. */
export function hostFirmware(firmware: Firmware, dirs: readonly string[] = FIRMWARE_DESCRIPTOR_DIRS): HostFirmware {
  if (!isUefi(firmware)) return { present: true, reason: "BIOS" };
  const secureBoot = firmware === "efi-secure";
  const kind = `UEFI${secureBoot ? say(" with secure boot", "(보안 부팅)") : ""}: `;
  // the firmware libvirt's autoselection would pick for our domain XML
  const have = findUefiFirmware(secureBoot, dirs);
  if (have) return { present: true, reason: kind + say(`firmware present on this host (${have})`, `이 호스트에 펌웨어 있음(${have})`) };
  const pkg = TOOL_PACKAGES["uefi-firmware"];
  const reason = secureBoot
    ? say(
        `no firmware with secure boot and enrolled keys for QEMU on this host; install ${pkg}`,
        `이 호스트에 QEMU용 보안 부팅(등록된 키) 펌웨어가 없습니다. ${pkg}을(를) 설치하세요`,
      )
    : say(
        `no firmware without secure boot for QEMU on this host; install ${pkg}`,
        `이 호스트에 QEMU용 보안 부팅 없는 펌웨어가 없습니다. ${pkg}을(를) 설치하세요`,
      );
  return { present: false, reason: kind + reason };
}

/** Throws TOOL_MISSING when the domain boots UEFI and no QEMU firmware descriptor on this host offers it. */
export function requireHostFirmware(firmware: Firmware, dirs: readonly string[] = FIRMWARE_DESCRIPTOR_DIRS): void {
  const host = hostFirmware(firmware, dirs);
  if (host.present) return;
  throw new V2kError(
    "TOOL_MISSING",
    `${host.reason} (no descriptor in ${dirs.join(", ")}); the VMware VM keeps running`,
    `Install ${TOOL_PACKAGES["uefi-firmware"]}, or choose another --firmware, then run the cutover again.`,
  );
}
