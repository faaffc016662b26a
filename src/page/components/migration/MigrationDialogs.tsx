// The dialog open on a migration's page: step options, cancel, and each action's confirmation. Every
// action goes through the page's perform (it adds the step options and keeps the password).
import * as api from "../../host/api";
import { type Manifest } from "../../../shared/manifest";
import { type AppState } from "../../state/app-state";
import { actionLabel } from "../../labels";
import { scheduledCheck, type StepOptionTexts } from "../../state/step-options";
import { ActionDialog } from "../dialogs/ActionDialog";
import { CancelDialog } from "../dialogs/CancelDialog";
import { CleanupDialog } from "../dialogs/CleanupDialog";
import { CutoverDialog } from "../dialogs/CutoverDialog";
import { DeleteDialog } from "../dialogs/DeleteDialog";
import { RetryDialog } from "../dialogs/RetryDialog";
import { ScheduleCutoverDialog } from "../dialogs/ScheduleCutoverDialog";
import { RollbackDialog } from "../dialogs/RollbackDialog";
import { StepOptionsDialog } from "../options/StepOptionsDialog";
import { cutoverBegun } from "./ScheduledCutover";
import { passwordOnlyCommand, type DialogId, type Perform } from "./MigrationActions";

export function MigrationDialogs(props: {
  dialog: DialogId;
  state: AppState;
  workdir: string;
  manifest: Manifest;
  conn: api.VcenterConnection | undefined;
  stepOptions: StepOptionTexts;
  /** The scheduled cutover the running job waits for, as shown to the admin. */
  scheduled?: string | undefined;
  perform: Perform;
  onClose(): void;
}) {
  const { dialog, state, workdir, manifest, conn, perform, onClose } = props;
  const common = { manifest, conn, onClose };
  switch (dialog) {
    case "options":
      return (
        <StepOptionsDialog
          initial={props.stepOptions}
          source={manifest.vm}
          onSave={(t) => state.setStepOptions(workdir, t)}
          onClose={onClose}
        />
      );
    case "cancel":
      return (
        <CancelDialog
          command={state.current?.operation?.command ?? ""}
          scheduled={props.scheduled}
          begun={cutoverBegun(manifest)}
          onClose={onClose}
          onConfirm={() => void state.cancelRunning()}
        />
      );
    case "cutover":
      return <CutoverDialog {...common} onConfirm={(o, c) => perform("cutover", api.actionCommand("cutover", o), c)} />;
    case "schedule-cutover":
      return (
        <ScheduleCutoverDialog
          {...common}
          check={scheduledCheck(props.stepOptions)}
          onConfirm={(o, c) => perform("schedule-cutover", api.actionCommand("schedule-cutover", o), c)}
        />
      );
    case "rollback":
      return <RollbackDialog {...common} onConfirm={(o, c) => perform("rollback", api.actionCommand("rollback", o), c)} />;
    case "retry":
      return <RetryDialog {...common} onConfirm={(_o, c) => perform("retry", api.actionCommand("retry"), c)} />;
    case "cleanup":
      return <CleanupDialog {...common} onConfirm={(o, c) => perform("cleanup", api.actionCommand("cleanup", o), c)} />;
    case "delete":
      return (
        <DeleteDialog
          {...common}
          workdir={workdir}
          onConfirm={async (o, c) => {
            await perform("delete", api.actionCommand("delete", o), c);
            state.go({ view: "list" });
          }}
        />
      );
    default: {
      const command = passwordOnlyCommand(dialog);
      if (!command) return null;
      const label = actionLabel(dialog);
      return (
        <ActionDialog
          id="v2k-password-dialog"
          title={label}
          confirmLabel={label}
          {...common}
          onConfirm={(c) => perform(dialog, command, c)}
        />
      );
    }
  }
}
