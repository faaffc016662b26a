// Where the admin is: the way back to the list, the title, and the steps done, current and to come.
import { type AppState } from "../../state/app-state";
import { _ } from "../../i18n";
import { ProgressStep, ProgressStepper, Title } from "../../pf";
import { wizardSteps } from "./wizard-steps";
import { ListBreadcrumb } from "../ListBreadcrumb";

export function WizardHeader({ state, index }: { state: AppState; index: number }) {
  return (
    <>
      <ListBreadcrumb state={state} current={_("New migration")} />
      <Title headingLevel="h1">{_("New migration")}</Title>
      <ProgressStepper aria-label={_("Wizard steps")} className="v2k-wizard-steps">
        {wizardSteps.map((s, i) => (
          <ProgressStep
            key={s.id}
            id={`v2k-wizard-step-${s.id}`}
            titleId={`v2k-wizard-step-${s.id}-title`}
            variant={i < index ? "success" : i === index ? "info" : "pending"}
            isCurrent={i === index}
          >
            {s.title()}
          </ProgressStep>
        ))}
      </ProgressStepper>
    </>
  );
}
