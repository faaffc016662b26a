// The wizard's buttons: Next (Create migration on the last step), Back and Cancel. The primary button is
// disabled exactly when the step has a reason against it, and that reason stands beside the buttons.
import { _ } from "../../i18n";
import { Button, Flex, HelperText, HelperTextItem } from "../../pf";

export interface WizardFooterProps {
  last: boolean;
  first: boolean;
  /** Why the primary button is refused (wizardSteps' blocker), or null. */
  blocker: string | null;
  checking: boolean;
  creating: boolean;
  onNext: () => void;
  onBack: () => void;
  onCancel: () => void;
}

export function WizardFooter({ last, first, blocker, checking, creating, onNext, onBack, onCancel }: WizardFooterProps) {
  const busy = last ? creating : checking;
  return (
    <Flex className="v2k-wizard-footer" alignItems={{ default: "alignItemsCenter" }}>
      <Button
        variant="primary"
        id={last ? "v2k-wizard-create" : "v2k-wizard-next"}
        isDisabled={blocker !== null || busy}
        isLoading={busy}
        onClick={onNext}
      >
        {last ? _("Create migration") : _("Next")}
      </Button>
      <Button variant="secondary" id="v2k-wizard-back" isDisabled={first || creating} onClick={onBack}>
        {_("Back")}
      </Button>
      <Button variant="link" onClick={onCancel}>
        {_("Cancel")}
      </Button>
      {blocker !== null && (
        <HelperText id="v2k-wizard-blocked">
          <HelperTextItem>{blocker}</HelperTextItem>
        </HelperText>
      )}
    </Flex>
  );
}
