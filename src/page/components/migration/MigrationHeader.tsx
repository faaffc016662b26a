// The migration's title line (phase, rolled back, running, ready, cancelled) and what went wrong last:
// the page's action error, the manifest's last error, a cancel note, or a background job's exit code.
import { type Manifest } from "../../../shared/manifest";
import { type OperationRecord } from "../../../shared/results";
import { type AppState, type MigrationView } from "../../state/app-state";
import { wasRolledBack } from "../../state/derive";
import { operationFailureToShow } from "../../state/operation-view";
import { _, format } from "../../i18n";
import { phaseLabel } from "../../labels";
import { Alert, AlertActionLink, Flex, Label, Title } from "../../pf";
import { ErrorAlert } from "../ErrorAlert";

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

function TitleLine({ manifest, view, running, ready }: { manifest: Manifest; view: MigrationView; running: boolean; ready: boolean }) {
  return (
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
  );
}

export function MigrationHeader(props: { state: AppState; manifest: Manifest; view: MigrationView; running: boolean; ready: boolean }) {
  const { state, manifest, view, running } = props;
  const lastError = !running && manifest.lastError;
  const failedOp = operationFailureToShow(manifest, view.operation);
  return (
    <>
      <TitleLine {...props} />
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
    </>
  );
}
