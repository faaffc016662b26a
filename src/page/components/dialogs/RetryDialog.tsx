// Retry after rollback: the helper continues on the same workdir with a new incremental round. It says
// what that means before it runs: the undone cutover is kept as history, disks the KVM domain ran on are
// copied again in full, and the next cutover repeats the shutdown and the final sync.
import { _ } from "../../i18n";
import { Content } from "../../pf";
import { ActionDialog, actionDialogHead, confirmWith, type ActionDialogOf } from "./ActionDialog";

/** A retry asks for no options. */
export function RetryDialog(props: ActionDialogOf<void>) {
  const { manifest } = props;
  const ran = manifest.cutover?.startedAt !== undefined || manifest.cutover?.domainRanAt !== undefined;
  return (
    <ActionDialog {...actionDialogHead("retry")} {...confirmWith(props, () => undefined)}>
      <Content>
        <ul>
          <li>{_("The migration continues in the same workdir with a new incremental sync round.")}</li>
          <li>{_("The rolled-back cutover is kept in the history; the next cutover shuts the VMware VM down again.")}</li>
          <li id="v2k-retry-rebase">
            {ran
              ? _("The KVM domain ran on the target disks: every disk is copied again in full on this round.")
              : _("Disks the KVM domain ran on are copied again in full; otherwise only the changes are copied.")}
          </li>
        </ul>
      </Content>
    </ActionDialog>
  );
}
