// The new-migration wizard: connect, choose the VM, choose the target, preflight, then init.
import { useState, type KeyboardEvent } from "react";
import { type ErrorInfo } from "../../../shared/errors";
import * as api from "../../host/api";
import { toHelperError } from "../../host/helper-error";
import { type AppState } from "../../state/app-state";
import { _ } from "../../i18n";
import { Breadcrumb, BreadcrumbItem, Button, Card, CardBody, PageSection, ProgressStep, ProgressStepper, Title, Flex } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { ConnectStep, checkLogin, connectStepDone } from "./ConnectStep";
import { VmStep, connectionOf, vmStepDone } from "./VmStep";
import { TargetStep } from "./TargetStep";
import { PreflightStep } from "./PreflightStep";
import { emptyWizardData, targetChoice, targetStepDone, type WizardData } from "./wizard-data";

const steps = [
  { id: "connect", title: () => _("vCenter"), done: connectStepDone },
  { id: "vm", title: () => _("VM"), done: vmStepDone },
  { id: "target", title: () => _("Target"), done: targetStepDone },
  { id: "preflight", title: () => _("Preflight"), done: (d: WizardData) => !!d.preflight?.go },
] as const;

export function Wizard({ state }: { state: AppState }) {
  const [data, setData] = useState<WizardData>(emptyWizardData);
  const [index, setIndex] = useState(0);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [checking, setChecking] = useState(false);
  const update = (patch: Partial<WizardData>) => setData((d) => ({ ...d, ...patch }));
  const step = steps[index]!;
  const last = index === steps.length - 1;

  const create = async () => {
    setCreating(true);
    setError(null);
    const conn = connectionOf(data);
    try {
      const result = await api.init({
        conn,
        target: targetChoice(data),
      }).promise;
      state.rememberConnection(conn);
      state.go({ view: "migration", workdir: result.workdir });
    } catch (e) {
      setError(toHelperError(e).info);
    } finally {
      setCreating(false);
    }
  };

  const goTo = (i: number) => {
    setError(null);
    setIndex(i);
  };

  /** Next (or Enter): step 1 is left only after the helper logged in with these credentials. */
  const next = async () => {
    if (!step.done(data) || checking || creating) return;
    if (last) return void create();
    if (step.id === "connect") {
      setChecking(true);
      setError(null);
      try {
        update({ vms: await checkLogin(connectionOf(data)) });
      } catch (e) {
        return setError(toHelperError(e).info);
      } finally {
        setChecking(false);
      }
    }
    goTo(index + 1);
  };

  // Enter in a field submits the step; the connect step's own form decides (certificate first)
  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (e.key !== "Enter" || target.tagName !== "INPUT" || target.closest("#v2k-step-connect")) return;
    e.preventDefault();
    void next();
  };

  return (
    <PageSection id="v2k-wizard">
      <Breadcrumb>
        <BreadcrumbItem
          to="#/"
          onClick={(e) => {
            e.preventDefault();
            state.go({ view: "list" });
          }}
        >
          {_("Migrations")}
        </BreadcrumbItem>
        <BreadcrumbItem isActive>{_("New migration")}</BreadcrumbItem>
      </Breadcrumb>
      <Title headingLevel="h1">{_("New migration")}</Title>
      <ProgressStepper aria-label={_("Wizard steps")} className="v2k-wizard-steps">
        {steps.map((s, i) => (
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
      <Card onKeyDown={onKeyDown}>
        <CardBody>
          {step.id === "connect" && <ConnectStep data={data} update={update} onSubmit={() => void next()} />}
          {step.id === "vm" && <VmStep data={data} update={update} />}
          {step.id === "target" && <TargetStep data={data} update={update} />}
          {step.id === "preflight" && <PreflightStep data={data} update={update} />}
          {error && <ErrorAlert error={error} />}
        </CardBody>
      </Card>
      <Flex className="v2k-wizard-footer">
        {!last && (
          <Button
            variant="primary"
            id="v2k-wizard-next"
            isDisabled={!step.done(data) || checking}
            isLoading={checking}
            onClick={() => void next()}
          >
            {_("Next")}
          </Button>
        )}
        {last && (
          <Button
            variant="primary"
            id="v2k-wizard-create"
            isDisabled={!step.done(data) || creating}
            isLoading={creating}
            onClick={() => void create()}
          >
            {_("Create migration")}
          </Button>
        )}
        <Button variant="secondary" id="v2k-wizard-back" isDisabled={index === 0 || creating} onClick={() => goTo(index - 1)}>
          {_("Back")}
        </Button>
        <Button variant="link" onClick={() => state.go({ view: "list" })}>
          {_("Cancel")}
        </Button>
      </Flex>
    </PageSection>
  );
}
