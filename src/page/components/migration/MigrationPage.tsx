// One migration: timeline with the current phase's action, disks, convergence, KVM domain, events.
import { useState, type ReactNode } from "react";
import { type AppState } from "../../state/app-state";
import { type VcenterConnection } from "../../host/api";
import { _, format } from "../../i18n";
import { actions, cutoverReady, DEFAULT_CRITERION, type ActionId } from "../../state/derive";
import { Card, CardBody, CardTitle, PageSection, Spinner, Grid, GridItem } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";
import { ListBreadcrumb } from "../ListBreadcrumb";
import { criterionOf, optionsArgvFor } from "../../state/step-options";
import { PhaseTimeline } from "./PhaseTimeline";
import { DiskProgress } from "./DiskProgress";
import { ConvergenceChart } from "./ConvergenceChart";
import { EventsLog } from "./EventsLog";
import { DomainStatus } from "./DomainStatus";
import { ExportReport } from "./ExportReport";
import { MigrationHeader } from "./MigrationHeader";
import { MigrationActions, type DialogId } from "./MigrationActions";
import { MigrationDialogs } from "./MigrationDialogs";
import { ScheduledCutover } from "./ScheduledCutover";
import { CbtStatus } from "./CbtStatus";
import { ConversionStatus } from "./ConversionStatus";
import { scheduledCutover } from "../../state/schedule";
import { formatTime } from "../../format";

function Titled({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card>
      <CardTitle>{title}</CardTitle>
      <CardBody>{children}</CardBody>
    </Card>
  );
}

export function MigrationPage({ state, workdir }: { state: AppState; workdir: string }) {
  const [dialog, setDialog] = useState<DialogId | null>(null);
  const view = state.current;
  const manifest = view?.manifest ?? null;
  if (!view || !manifest) {
    return (
      <PageSection>
        <ListBreadcrumb state={state} current={workdir} />
        {view?.manifestError ? <ErrorAlert error={view.manifestError} /> : <Spinner aria-label={_("Loading")} />}
      </PageSection>
    );
  }

  const running = state.isRunning(view);
  const busy = running || state.pending !== null;
  const stepOptions = state.stepOptionsFor(workdir);
  const criterion = criterionOf(stepOptions["auto-sync"]) ?? DEFAULT_CRITERION;
  const ready = cutoverReady(manifest, criterion);
  const conn = state.connectionFor(manifest);
  const scheduled = scheduledCutover(running, view.operation, view.events);
  const perform = async (action: ActionId, command: string[], c: VcenterConnection) => {
    state.rememberConnection(c);
    await state.perform(action, [...command, ...optionsArgvFor(action, stepOptions, command)], c);
  };

  return (
    <PageSection id="v2k-migration" data-phase={manifest.phase} data-running={running} data-busy={busy}>
      <ListBreadcrumb state={state} current={manifest.vm.name} />
      <MigrationHeader state={state} manifest={manifest} view={view} running={running} ready={ready} />
      {scheduled && <ScheduledCutover at={scheduled} manifest={manifest} onCancel={() => setDialog("cancel")} />}
      <Card>
        <CardBody>
          <PhaseTimeline manifest={manifest} running={running} />
          <MigrationActions
            manifest={manifest}
            actions={actions(manifest, ready)}
            busy={busy}
            pendingAction={state.pending?.action}
            conn={conn}
            stepOptions={stepOptions}
            perform={perform}
            openDialog={setDialog}
          />
        </CardBody>
      </Card>
      <Grid hasGutter md={6}>
        <GridItem>
          <Titled title={_("Disks")}>
            <DiskProgress manifest={manifest} progress={view.progress} slotWaits={running ? view.slotWaits : {}} />
          </Titled>
        </GridItem>
        <GridItem>
          <Titled title={_("Convergence")}>
            <ConvergenceChart manifest={manifest} criterion={criterion} />
          </Titled>
        </GridItem>
        <GridItem>
          <Titled title={_("Changed block tracking")}>
            <CbtStatus manifest={manifest} workdir={workdir} conn={conn} remember={(c) => state.rememberConnection(c)} />
          </Titled>
        </GridItem>
        <GridItem>
          <Titled title={_("Guest conversion")}>
            <ConversionStatus manifest={manifest} running={running} />
          </Titled>
        </GridItem>
        <GridItem>
          <Titled title={_("KVM domain and verification")}>
            <DomainStatus manifest={manifest} domain={state.listed(workdir)?.domain} />
          </Titled>
        </GridItem>
        <GridItem>
          <Titled title={_("Workdir")}>
            <code id="v2k-workdir">{workdir}</code>
            <ExportReport manifest={manifest} workdir={workdir} />
          </Titled>
        </GridItem>
      </Grid>
      <Titled title={_("Events")}>
        <EventsLog events={view.events} disks={manifest.disks.map((d) => ({ key: d.key, label: d.label }))} />
        {view.malformed.length > 0 && (
          <p className="v2k-malformed">{format(_("$0 lines of events.log could not be read."), view.malformed.length)}</p>
        )}
      </Titled>
      {dialog && (
        <MigrationDialogs
          dialog={dialog}
          state={state}
          workdir={workdir}
          manifest={manifest}
          conn={conn}
          stepOptions={stepOptions}
          scheduled={scheduled ? formatTime(scheduled.toISOString()) : undefined}
          perform={perform}
          onClose={() => setDialog(null)}
        />
      )}
    </PageSection>
  );
}
