// A firmware chosen with --firmware against the VMware VM's: why the guest may not boot with it and what to check.
// Preflight lists it as a warning; cutover records it with the migration's warnings.
import { type FirmwareChange, type FirmwareChoice, firmwareChange } from "../../shared/firmware";
import { say } from "../../shared/i18n/lang";

/** The warning for a choice that differs from the VMware VM's firmware, or null when it does not differ. */
export function firmwareChoiceWarning(vm: { firmware: string; secureBoot: boolean }, choice: FirmwareChoice): string | null {
  const change = firmwareChange(vm, choice);
  return change ? `--firmware ${choice}: ${changeReason(change)}` : null;
}

/** Why the guest may not boot with the chosen firmware, and what to check before the cutover. */
function changeReason(change: FirmwareChange): string {
  switch (change) {
    case "bios-to-uefi":
      return say(
        "the VMware VM boots with BIOS, so its boot loader was installed for BIOS: under UEFI the guest boots only if its disk " +
          'also has an EFI system partition with a boot loader (hybrid images). Check the guest\'s disk for one ("EFI System" ' +
          "in fdisk -l) before the cutover, or keep --firmware auto",
        "VMware VM이 BIOS로 부팅하므로 부트 로더가 BIOS용으로 설치되어 있습니다. UEFI에서는 디스크에 부트 로더가 든 EFI 시스템 " +
          '파티션도 있을 때만 부팅됩니다(하이브리드 이미지). 컷오버 전에 게스트 디스크에 그 파티션이 있는지 확인하세요(fdisk -l의 "EFI System"). ' +
          "아니면 --firmware auto를 유지하세요",
      );
    case "uefi-to-bios":
      return say(
        "the VMware VM boots with UEFI, so its boot loader was installed for UEFI: under BIOS the guest boots only if its disk " +
          'also carries a BIOS boot loader (in the MBR; on GPT disks with a "BIOS boot" partition). Check the guest\'s disk ' +
          "for one before the cutover, or keep --firmware auto",
        "VMware VM이 UEFI로 부팅하므로 부트 로더가 UEFI용으로 설치되어 있습니다. BIOS에서는 디스크에 BIOS 부트 로더도 있을 때만 " +
          '부팅됩니다(MBR에, GPT 디스크라면 "BIOS boot" 파티션과 함께). 컷오버 전에 게스트 디스크에 그것이 있는지 확인하세요. ' +
          "아니면 --firmware auto를 유지하세요",
      );
    case "secure-boot-on":
      return say(
        "the VMware VM boots with UEFI without secure boot: with secure boot only signed boot loaders, kernels and drivers " +
          "start (Windows, shim-signed Linux), an unsigned one stops the boot. Check that the guest's boot chain is signed " +
          "(Linux: shim installed, no unsigned DKMS modules needed to boot), or choose --firmware efi",
        "VMware VM은 보안 부팅 없이 UEFI로 부팅합니다. 보안 부팅에서는 서명된 부트 로더, 커널, 드라이버만 시작되고(Windows, shim 서명 " +
          "Linux) 서명되지 않은 것이 있으면 부팅이 멈춥니다. 게스트의 부팅 과정이 서명되어 있는지 확인하거나(Linux: shim 설치, 부팅에 " +
          "서명 없는 DKMS 모듈 불필요) --firmware efi를 고르세요",
      );
    case "secure-boot-off":
      return say(
        "the VMware VM boots with UEFI and secure boot: without it the guest still boots, but BitLocker may ask for its " +
          "recovery key and Windows features that need secure boot (VBS, Credential Guard) turn off. Have the BitLocker " +
          "recovery key ready, or choose --firmware efi-secure",
        "VMware VM은 보안 부팅을 켠 UEFI로 부팅합니다. 보안 부팅 없이도 게스트는 부팅되지만 BitLocker가 복구 키를 물을 수 있고 " +
          "보안 부팅이 필요한 Windows 기능(VBS, Credential Guard)은 꺼집니다. BitLocker 복구 키를 준비하거나 " +
          "--firmware efi-secure를 고르세요",
      );
  }
}
