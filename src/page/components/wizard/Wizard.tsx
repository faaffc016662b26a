// The new-migration wizard: connect, choose the VM, choose the target, preflight, then init.
import { type KeyboardEvent } from "react";
import { type AppState } from "../../state/app-state";
import { Card, CardBody, PageSection } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { ConnectStep } from "./ConnectStep";
import { VmStep } from "./VmStep";
import { TargetStep } from "./TargetStep";
import { PreflightStep } from "./PreflightStep";
import { useWizardFlow } from "./wizard-flow";
import { WizardFooter } from "./WizardFooter";
import { WizardHeader } from "./WizardHeader";

export function Wizard({ state }: { state: AppState }) {
  const flow = useWizardFlow(state);
  const { data, update, step } = flow;
  const next = () => void flow.next();

  // Enter in a field submits the step; the connect step's own form decides (certificate first)
  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (e.key !== "Enter" || target.tagName !== "INPUT" || target.closest("#v2k-step-connect")) return;
    e.preventDefault();
    next();
  };

  return (
    <PageSection id="v2k-wizard">
      <WizardHeader state={state} index={flow.index} />
      <Card onKeyDown={onKeyDown}>
        <CardBody>
          {step.id === "connect" && <ConnectStep data={data} update={update} onSubmit={next} />}
          {step.id === "vm" && <VmStep data={data} update={update} />}
          {step.id === "target" && <TargetStep data={data} update={update} />}
          {step.id === "preflight" && <PreflightStep data={data} update={update} />}
          {flow.error && <ErrorAlert error={flow.error} />}
        </CardBody>
      </Card>
      <WizardFooter
        last={flow.last}
        first={flow.index === 0}
        blocker={flow.blocker}
        checking={flow.checking}
        creating={flow.creating}
        onNext={next}
        onBack={flow.back}
        onCancel={() => state.go({ view: "list" })}
      />
    </PageSection>
  );
}
