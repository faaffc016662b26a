// The KVM domain's firmware among the cutover's options: "Automatic" names the VMware VM's firmware, and a
// choice that differs from it says beside the field why the guest may not boot (the helper's preflight and
// cutover warn the same way).
import { type OptionDecl } from "../../../shared/requests/option";
import {
  FIRMWARE_CHOICES,
  type Firmware,
  type FirmwareChange,
  type FirmwareChoice,
  type SourceFirmware,
  firmwareChange,
  sourceFirmware,
} from "../../../shared/firmware";
import { _, format } from "../../i18n";
import { FormGroup, FormSelect, FormSelectOption, HelperText, HelperTextItem } from "../../pf";

export function firmwareLabel(f: Firmware): string {
  if (f === "bios") return _("BIOS");
  return f === "efi-secure" ? _("UEFI, secure boot on") : _("UEFI, secure boot off");
}

function changeWarning(change: FirmwareChange): string {
  switch (change) {
    case "bios-to-uefi":
      return _(
        "The VMware VM boots with BIOS, so its boot loader was installed for BIOS: under UEFI the guest boots only if its disk also has an EFI system partition with a boot loader. Check the guest's disk before the cutover.",
      );
    case "uefi-to-bios":
      return _(
        "The VMware VM boots with UEFI, so its boot loader was installed for UEFI: under BIOS the guest boots only if its disk also carries a BIOS boot loader. Check the guest's disk before the cutover.",
      );
    case "secure-boot-on":
      return _(
        "The VMware VM boots without secure boot: with secure boot only signed boot loaders, kernels and drivers start. Check that the guest's boot chain is signed before the cutover.",
      );
    case "secure-boot-off":
      return _(
        "The VMware VM boots with secure boot: without it the guest still boots, but BitLocker may ask for its recovery key. Have the recovery key ready.",
      );
  }
}

export function FirmwareField({
  id,
  decl,
  value,
  source,
  onChange,
}: {
  id: string;
  decl: OptionDecl;
  value: string;
  source: SourceFirmware;
  onChange(value: string): void;
}) {
  const choice = FIRMWARE_CHOICES.find((c) => c === value) ?? "auto";
  const change = firmwareChange(source, choice);
  const choices = FIRMWARE_CHOICES.filter((c): c is Exclude<FirmwareChoice, "auto"> => c !== "auto");
  return (
    <FormGroup label="--firmware" fieldId={id}>
      <FormSelect id={id} value={choice === "auto" ? "" : choice} onChange={(_e, v) => onChange(v)} aria-label="--firmware">
        <FormSelectOption value="" label={format(_("Automatic ($0)"), firmwareLabel(sourceFirmware(source)))} />
        {choices.map((c) => (
          <FormSelectOption key={c} value={c} label={`${firmwareLabel(c)} (${c})`} />
        ))}
      </FormSelect>
      <HelperText>
        {change ? (
          <HelperTextItem variant="warning" className="v2k-opt-warning">
            {changeWarning(change)}
          </HelperTextItem>
        ) : (
          <HelperTextItem className="v2k-opt-help">{decl.help}</HelperTextItem>
        )}
      </HelperText>
    </FormGroup>
  );
}
