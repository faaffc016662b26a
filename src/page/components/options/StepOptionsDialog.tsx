// "Step options": the runbook's options for the next steps of this migration (copy tuning, the
// "Sync until ready" schedule and criterion, verify mode, cutover and KVM settings). Kept for this
// page session; every command started from the page carries them (shown under the actions).
import { useState } from "react";
import { _ } from "../../i18n";
import { Button, ExpandableSection, Form, Modal, ModalBody, ModalFooter, ModalHeader } from "../../pf";
import { parseStepOptions, type OptionStep, type StepOptionTexts } from "../../state/step-options";
import { StepOptionsFields } from "./StepOptionsFields";

const SECTIONS: { step: OptionStep; title: () => string }[] = [
  { step: "sync", title: () => _("Copy (base and incremental syncs)") },
  { step: "auto-sync", title: () => _("Sync until ready (rounds, criterion, copy)") },
  { step: "verify", title: () => _("Verify") },
  { step: "cutover", title: () => _("Cutover and the KVM domain") },
];

export function StepOptionsDialog({
  initial,
  onSave,
  onClose,
}: {
  initial: StepOptionTexts;
  onSave(texts: StepOptionTexts): void;
  onClose(): void;
}) {
  const [texts, setTexts] = useState<StepOptionTexts>(initial);
  const [open, setOpen] = useState<OptionStep | null>("sync");
  const invalid = SECTIONS.some(({ step }) => Object.keys(parseStepOptions(step, texts[step] ?? {}).errors).length > 0);
  return (
    <Modal isOpen variant="medium" onClose={onClose} id="v2k-step-options-dialog" aria-labelledby="v2k-step-options-title">
      <ModalHeader title={_("Step options")} labelId="v2k-step-options-title" />
      <ModalBody>
        <p>{_("Options the helper's command line offers for the next steps. Empty fields keep the helper's defaults.")}</p>
        <Form onSubmit={(e) => e.preventDefault()}>
          {SECTIONS.map(({ step, title }) => (
            <ExpandableSection
              key={step}
              id={`v2k-step-options-${step}`}
              toggleText={title()}
              isExpanded={open === step}
              onToggle={(_e, v) => setOpen(v ? step : null)}
            >
              <StepOptionsFields step={step} texts={texts[step] ?? {}} onChange={(t) => setTexts({ ...texts, [step]: t })} />
            </ExpandableSection>
          ))}
        </Form>
      </ModalBody>
      <ModalFooter>
        <Button
          id="v2k-step-options-save"
          isDisabled={invalid}
          onClick={() => {
            onSave(texts);
            onClose();
          }}
        >
          {_("Save")}
        </Button>
        <Button variant="link" onClick={onClose}>
          {_("Cancel")}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
