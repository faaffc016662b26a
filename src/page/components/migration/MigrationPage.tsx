// One migration: timeline with the current phase's action, disks, convergence, KVM domain, events.
import { useState } from "react";
import { type AppState } from "../../state/app-state";
import { type VcenterConnection } from "../../host/api";
import * as api from "../../host/api";
import { _, format } from "../../i18n";
import { actionLabel, phaseLabel } from "../../labels";
import { actions, cutoverReady, DEFAULT_CRITERION, wasRolledBack, type ActionId } from "../../state/derive";
import {
  Breadcrumb,
  BreadcrumbItem,
  Button,
  Card,
  CardBody,
  CardTitle,
  Flex,
  Label,
  PageSection,
  Spinner,
  Title,
  Grid,
  GridItem,
  Alert,
  AlertActionLink,
} from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { ActionDialog } from "../dialogs/ActionDialog";
import { CutoverDialog } from "../dialogs/CutoverDialog";
import { RollbackDialog } from "../dialogs/RollbackDialog";
import { CleanupDialog } from "../dialogs/CleanupDialog";
import { CancelDialog } from "../dialogs/CancelDialog";
import { StepOptionsDialog } from "../options/StepOptionsDialog";
import { criterionOf, optionsArgvFor, stepOptionsSummary } from "../../state/step-options";
import { RetryDialog } from "../dialogs/RetryDialog";
import { DeleteDialog } from "../dialogs/DeleteDialog";
import { RollbackMenu } from "./RollbackMenu";
import { PhaseTimeline } from "./PhaseTimeline";
import { DiskProgress } from "./DiskProgress";
import { ConvergenceChart } from "./ConvergenceChart";
import { operationFailureToShow } from "../../state/operation-view";
import { type OperationRecord } from "../../../shared/results";
import { EventsLog } from "./EventsLog";
import { DomainStatus } from "./DomainStatus";
import { ExportReport } from "./ExportReport";

function OperationFailure({ op }: { op: OperationRecord }) {
  return (
    <ErrorAlert
      error={{
        code: "PROCESS_FAILED",
        message: format(_("$0 ended with exit code $1"), op.command, op.exitCode ?? ""),
        hint: _("See the events below and job.log in the workdir."),
      }}
    />
  );
}

export function MigrationPage({ state, workdir }: { state: AppState; workdir: string }) {
  const [dialog, setDialog] = useState<ActionId | "cancel" | "options" | null>(null);
  const view = state.current;
  const manifest = view?.manifest ?? null;
  const back = (
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
      <BreadcrumbItem isActive>{manifest?.vm.name ?? workdir}</BreadcrumbItem>
    </Breadcrumb>
  );
  if (!view || !manifest) {
    return (
      <PageSection>
        {back}
        {view?.manifestError ? <ErrorAlert error={view.manifestError} /> : <Spinner aria-label={_("Loading")} />}
      </PageSection>
    );
  }

  const running = state.isRunning(view);
  const busy = running || state.pending !== null;
  const stepOptions = state.stepOptionsFor(workdir);
  const criterion = criterionOf(stepOptions["auto-sync"]) ?? DEFAULT_CRITERION;
  const ready = cutoverReady(manifest, criterion);
  const { primary, secondary } = actions(manifest, ready);
  const conn = state.connectionFor(manifest);
  const perform = async (action: ActionId, command: string[], c: VcenterConnection) => {
    state.rememberConnection(c);
    await state.perform(action, [...command, ...optionsArgvFor(action, stepOptions)], c);
  };
  // Actions without their own confirmation still need the password once per session.
  const click = (action: ActionId) => {
    const simple =
      action === "cbt-enable" || action === "sync-base" || action === "sync-incr" || action === "auto-sync" || action === "verify";
    if (simple && conn) void perform(action, api.actionCommand(action), conn).catch(() => undefined);
    else if (action === "start" && conn) void perform(action, api.actionCommand("start"), conn).catch(() => undefined);
    else setDialog(action);
  };
  const button = (action: ActionId, isPrimary: boolean) => (
    <Button
      key={action}
      id={`v2k-action-${action}`}
      variant={isPrimary ? "primary" : action === "rollback" ? "danger" : "secondary"}
      isDisabled={busy}
      isLoading={state.pending?.action === action}
      onClick={() => click(action)}
    >
      {actionLabel(action)}
    </Button>
  );
  const close = () => setDialog(null);
  const lastError = !running && manifest.lastError;
  const failedOp = operationFailureToShow(manifest, view.operation);

  return (
    <PageSection id="v2k-migration" data-phase={manifest.phase} data-running={running} data-busy={busy}>
      {back}
      <Flex alignItems={{ default: "alignItemsCenter" }}>
        <Title headingLevel="h1">{manifest.vm.name}</Title>
        <Label id="v2k-phase" data-phase={manifest.phase}>
          {phaseLabel(manifest.phase)}
        </Label>
        {manifest.phase === "cleaned" && wasRolledBack(manifest) && (
          <Label color="orange" id="v2k-rolled-back">
            {_("Rolled back")}
          </Label>
        )}
        {running && (
          <Label color="blue" id="v2k-running">
            {format(_("Running: $0"), view.operation?.command ?? "")}
          </Label>
        )}
        {ready && (
          <Label color="green" id="v2k-ready">
            {_("Ready for cutover")}
          </Label>
        )}
        {!running && view.operation?.cancelled && <Label id="v2k-cancelled">{format(_("$0 was cancelled"), view.operation.command)}</Label>}
      </Flex>
      {state.actionError && (
        <ErrorAlert
          error={state.actionError}
          actionClose={<AlertActionLink onClick={() => state.clearActionError()}>{_("Dismiss")}</AlertActionLink>}
        />
      )}
      {lastError && !state.actionError && lastError.code !== "CANCELLED" && (
        <ErrorAlert error={lastError} title={`${_("The last step failed")}: ${lastError.message}`} />
      )}
      {lastError && lastError.code === "CANCELLED" && (
        <Alert variant="info" isInline id="v2k-cancelled-note" title={_("The last step was cancelled")}>
          {_("Nothing already synced is lost: run it again to continue from the workdir.")}
        </Alert>
      )}
      {failedOp && <OperationFailure op={failedOp} />}
      <Card>
        <CardBody>
          <PhaseTimeline manifest={manifest} running={running} />
          <Flex className="v2k-actions">
            {primary && button(primary, true)}
            {secondary.map((a) => button(a, false))}
            <Button variant="link" id="v2k-step-options" isDisabled={busy} onClick={() => setDialog("options")}>
              {_("Step options")}
            </Button>
            {busy && (
              <Button variant="link" id="v2k-cancel" onClick={() => setDialog("cancel")}>
                {_("Cancel operation")}
              </Button>
            )}
            <RollbackMenu manifest={manifest} disabled={busy} onSelect={setDialog} />
          </Flex>
          {stepOptionsSummary(stepOptions).length > 0 && (
            <p id="v2k-step-options-summary" className="v2k-step-options-summary">
              {_("With options")}: <code>{stepOptionsSummary(stepOptions).join(" · ")}</code>
            </p>
          )}
        </CardBody>
      </Card>
      <Grid hasGutter md={6}>
        <GridItem>
          <Card>
            <CardTitle>{_("Disks")}</CardTitle>
            <CardBody>
              <DiskProgress manifest={manifest} progress={view.progress} slotWaits={running ? view.slotWaits : {}} />
            </CardBody>
          </Card>
        </GridItem>
        <GridItem>
          <Card>
            <CardTitle>{_("Convergence")}</CardTitle>
            <CardBody>
              <ConvergenceChart manifest={manifest} criterion={criterion} />
            </CardBody>
          </Card>
        </GridItem>
        <GridItem>
          <Card>
            <CardTitle>{_("KVM domain and verification")}</CardTitle>
            <CardBody>
              <DomainStatus manifest={manifest} domain={state.listed(workdir)?.domain} />
            </CardBody>
          </Card>
        </GridItem>
        <GridItem>
          <Card>
            <CardTitle>{_("Workdir")}</CardTitle>
            <CardBody>
              <code id="v2k-workdir">{workdir}</code>
              <ExportReport manifest={manifest} workdir={workdir} />
            </CardBody>
          </Card>
        </GridItem>
      </Grid>
      <Card>
        <CardTitle>{_("Events")}</CardTitle>
        <CardBody>
          <EventsLog events={view.events} disks={manifest.disks.map((d) => ({ key: d.key, label: d.label }))} />
          {view.malformed.length > 0 && (
            <p className="v2k-malformed">{format(_("$0 lines of events.log could not be read."), view.malformed.length)}</p>
          )}
        </CardBody>
      </Card>

      {dialog === "options" && <StepOptionsDialog initial={stepOptions} onSave={(t) => state.setStepOptions(workdir, t)} onClose={close} />}
      {dialog === "cancel" && (
        <CancelDialog command={view.operation?.command ?? ""} onClose={close} onConfirm={() => void state.cancelRunning()} />
      )}
      {dialog === "cutover" && (
        <CutoverDialog
          manifest={manifest}
          conn={conn}
          onClose={close}
          onConfirm={(o, c) => perform("cutover", api.actionCommand("cutover", o), c)}
        />
      )}
      {dialog === "rollback" && (
        <RollbackDialog
          manifest={manifest}
          conn={conn}
          onClose={close}
          onConfirm={(o, c) => perform("rollback", api.actionCommand("rollback", o), c)}
        />
      )}
      {dialog === "retry" && (
        <RetryDialog manifest={manifest} conn={conn} onClose={close} onConfirm={(c) => perform("retry", api.actionCommand("retry"), c)} />
      )}
      {dialog === "delete" && (
        <DeleteDialog
          manifest={manifest}
          workdir={workdir}
          conn={conn}
          onClose={close}
          onConfirm={async (o, c) => {
            await perform("delete", api.actionCommand("delete", o), c);
            state.go({ view: "list" });
          }}
        />
      )}
      {dialog === "cleanup" && (
        <CleanupDialog
          manifest={manifest}
          conn={conn}
          onClose={close}
          onConfirm={(o, c) => perform("cleanup", api.actionCommand("cleanup", o), c)}
        />
      )}
      {(dialog === "cbt-enable" || dialog === "sync-base" || dialog === "sync-incr" || dialog === "auto-sync" || dialog === "verify") && (
        <ActionDialog
          id="v2k-password-dialog"
          title={actionLabel(dialog)}
          confirmLabel={actionLabel(dialog)}
          manifest={manifest}
          conn={conn}
          onClose={close}
          onConfirm={(c) => perform(dialog, api.actionCommand(dialog), c)}
        />
      )}
      {dialog === "start" && (
        <ActionDialog
          id="v2k-password-dialog"
          title={actionLabel(dialog)}
          confirmLabel={actionLabel(dialog)}
          manifest={manifest}
          conn={conn}
          onClose={close}
          onConfirm={(c) => perform("start", api.actionCommand("start"), c)}
        />
      )}
    </PageSection>
  );
}
