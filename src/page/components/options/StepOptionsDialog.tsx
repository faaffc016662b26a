// "Step options": the runbook's options for the next steps of this migration (copy tuning, the
// "Sync until ready" schedule and criterion, verify mode, cutover and KVM settings). Recorded in the
// manifest by the helper; every command started from the page carries them (shown under the actions).
import { useState } from "react";
import { type ErrorInfo } from "../../../shared/errors";
import { toHelperError } from "../../host/helper-error";
import { _ } from "../../i18n";
import { ErrorAlert } from "../ErrorAlert";
import { Button, ExpandableSection, Form, Modal, ModalBody, ModalFooter, ModalHeader } from "../../pf";
import { parseStepOptions, type OptionStep, type StepOptionTexts } from "../../state/step-options";
import { StepOptionsFields } from "./StepOptionsFields";
import { type SourceFirmware } from "../../../shared/firmware";

const SECTIONS: { step: OptionStep; title: () => string }[] = [
  { step: "sync", title: () => _("Copy (base and incremental syncs)") },
  { step: "auto-sync", title: () => _("Sync until ready (rounds, criterion, copy)") },
  { step: "verify", title: () => _("Verify") },
  { step: "cutover", title: () => _("Cutover and the KVM domain") },
];

export function StepOptionsDialog({
  initial,
  source,
  onSave,
  onClose,
}: {
  initial: StepOptionTexts;
  /** The VMware VM's firmware (the cutover's "Automatic" firmware). */
  source: SourceFirmware;
  onSave(texts: StepOptionTexts): Promise<void>;
  onClose(): void;
}) {
  const [texts, setTexts] = useState<StepOptionTexts>(initial);
  const [open, setOpen] = useState<OptionStep | null>("sync");
  const [saving, setSaving] = useState(false);
  const [dialogError, setDialogError] = useState<ErrorInfo | null>(null);
  const invalid = SECTIONS.some(({ step }) => Object.keys(parseStepOptions(step, texts[step] ?? {}).errors).length > 0);
  const save = async () => {
    setSaving(true);
    setDialogError(null);
    try {
      await onSave(texts);
      onClose();
    } catch (e) {
      setDialogError(toHelperError(e).info);
      setSaving(false);
    }
  };
  return (
    <Modal isOpen variant="medium" onClose={onClose} id="v2k-step-options-dialog" aria-labelledby="v2k-step-options-title">
      <ModalHeader title={_("Step options")} labelId="v2k-step-options-title" />
      <ModalBody>
        <p>
          {_(
            "Options the helper's command line offers for the next steps, recorded with the migration. Empty fields keep the helper's defaults.",
          )}
        </p>
        <Form onSubmit={(e) => e.preventDefault()}>
          {SECTIONS.map(({ step, title }) => (
            <ExpandableSection
              key={step}
              id={`v2k-step-options-${step}`}
              toggleText={title()}
              isExpanded={open === step}
              onToggle={(_e, v) => setOpen(v ? step : null)}
            >
              <StepOptionsFields
                step={step}
                texts={texts[step] ?? {}}
                source={source}
                onChange={(t) => setTexts({ ...texts, [step]: t })}
              />
            </ExpandableSection>
          ))}
        </Form>
        {dialogError && <ErrorAlert error={dialogError} />}
      </ModalBody>
      <ModalFooter>
        <Button id="v2k-step-options-save" isDisabled={invalid || saving} isLoading={saving} onClick={() => void save()}>
          {_("Save")}
        </Button>
        <Button variant="link" onClick={onClose} isDisabled={saving}>
          {_("Cancel")}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
