// The fields of one step's options, drawn from the helper's declarations: a checkbox for a flag, a
// select for a choice, a text field for a value; the placeholder is the helper's default and a refused
// value shows the helper's own validation message.
import { defaultText, type OptionDecl } from "../../../shared/requests/option";
import { _, format } from "../../i18n";
import { Checkbox, FormGroup, FormSelect, FormSelectOption, HelperText, HelperTextItem, TextInput } from "../../pf";
import { parseStepOptions, stepDecls, type OptionStep, type OptionTexts } from "../../state/step-options";
import { type SourceFirmware } from "../../../shared/firmware";
import { FirmwareField } from "./FirmwareField";

function defaultLabel(d: OptionDecl): string {
  const value = defaultText(d);
  if (value !== undefined) return format(_("helper default: $0"), value);
  return d.defaultNote ?? _("helper default");
}

export function StepOptionsFields({
  step,
  texts,
  source,
  onChange,
}: {
  step: OptionStep;
  texts: OptionTexts;
  /** The VMware VM's firmware, which "Automatic" keeps. */
  source?: SourceFirmware | undefined;
  onChange(texts: OptionTexts): void;
}) {
  const { errors } = parseStepOptions(step, texts);
  const set = (name: string, value: string | boolean) => onChange({ ...texts, [name]: value });
  return (
    <div className="v2k-step-options" data-step={step}>
      {stepDecls(step).map(([name, d]) => {
        const id = `v2k-opt-${step}-${name}`;
        const error = errors[name];
        if (name === "firmware" && source)
          return (
            <FirmwareField key={name} id={id} decl={d} value={String(texts[name] ?? "")} source={source} onChange={(v) => set(name, v)} />
          );
        if (d.kind === "boolean")
          return (
            <Checkbox
              key={name}
              id={id}
              label={`--${name}`}
              description={d.help}
              isChecked={texts[name] === true}
              onChange={(_e, v) => set(name, v)}
            />
          );
        return (
          <FormGroup key={name} label={`--${name}`} fieldId={id}>
            {d.kind === "enum" ? (
              <FormSelect id={id} value={String(texts[name] ?? "")} onChange={(_e, v) => set(name, v)} aria-label={`--${name}`}>
                <FormSelectOption value="" label={defaultLabel(d)} />
                {d.values.map((v) => (
                  <FormSelectOption key={v} value={v} label={v} />
                ))}
              </FormSelect>
            ) : (
              <TextInput
                id={id}
                value={String(texts[name] ?? "")}
                placeholder={defaultLabel(d)}
                validated={error ? "error" : "default"}
                onChange={(_e, v) => set(name, v)}
              />
            )}
            <HelperText>
              <HelperTextItem variant={error ? "error" : "default"} className={error ? "v2k-opt-error" : "v2k-opt-help"}>
                {error ?? d.help}
              </HelperTextItem>
            </HelperText>
          </FormGroup>
        );
      })}
    </div>
  );
}
