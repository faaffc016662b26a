// The action bar under the timeline: the phase's primary and secondary actions, step options, cancel,
// the rolled-back kebab, and the options the next commands carry. Actions that need no confirmation run
// at once when this session knows the password; the others open their dialog.
import { type Manifest } from "../../../shared/manifest";
import * as api from "../../host/api";
import { _ } from "../../i18n";
import { actionLabel } from "../../labels";
import { type ActionId } from "../../state/derive";
import { stepOptionsSummary, type StepOptionTexts } from "../../state/step-options";
import { Button, Flex } from "../../pf";
import { RollbackMenu } from "./RollbackMenu";

export type DialogId = ActionId | "cancel" | "options";
export type Perform = (action: ActionId, command: string[], conn: api.VcenterConnection) => Promise<void>;

/** The command of an action that asks nothing but the password (no dialog of its own), else null. */
export function passwordOnlyCommand(action: ActionId): string[] | null {
  switch (action) {
    case "cbt-enable":
    case "sync-base":
    case "sync-incr":
    case "auto-sync":
    case "verify":
      return api.actionCommand(action);
    case "start":
      return api.actionCommand("start");
    default:
      return null;
  }
}

export function MigrationActions(props: {
  manifest: Manifest;
  actions: { primary: ActionId | null; secondary: ActionId[] };
  busy: boolean;
  pendingAction: ActionId | undefined;
  conn: api.VcenterConnection | undefined;
  stepOptions: StepOptionTexts;
  perform: Perform;
  openDialog(d: DialogId): void;
}) {
  const { manifest, busy, conn, perform, openDialog } = props;
  const click = (action: ActionId) => {
    const command = passwordOnlyCommand(action);
    if (command && conn) void perform(action, command, conn).catch(() => undefined);
    else openDialog(action);
  };
  const button = (action: ActionId, isPrimary: boolean) => (
    <Button
      key={action}
      id={`v2k-action-${action}`}
      variant={isPrimary ? "primary" : action === "rollback" ? "danger" : "secondary"}
      isDisabled={busy}
      isLoading={props.pendingAction === action}
      onClick={() => click(action)}
    >
      {actionLabel(action)}
    </Button>
  );
  const summary = stepOptionsSummary(props.stepOptions);
  return (
    <>
      <Flex className="v2k-actions">
        {props.actions.primary && button(props.actions.primary, true)}
        {props.actions.secondary.map((a) => button(a, false))}
        <Button variant="link" id="v2k-step-options" isDisabled={busy} onClick={() => openDialog("options")}>
          {_("Step options")}
        </Button>
        {busy && (
          <Button variant="link" id="v2k-cancel" onClick={() => openDialog("cancel")}>
            {_("Cancel operation")}
          </Button>
        )}
        <RollbackMenu manifest={manifest} disabled={busy} onSelect={openDialog} />
      </Flex>
      {summary.length > 0 && (
        <p id="v2k-step-options-summary" className="v2k-step-options-summary">
          {_("With options")}: <code>{summary.join(" · ")}</code>
        </p>
      )}
    </>
  );
}
