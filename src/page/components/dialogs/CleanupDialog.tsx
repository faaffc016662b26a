// Cleanup: removes only what this migration created; never the source VM, never user snapshots.
import { useState } from "react";
import { type CleanupOptions } from "../../host/api";
import { _ } from "../../i18n";
import { Checkbox } from "../../pf";
import { ActionDialog, actionDialogHead, confirmWith, type ActionDialogOf } from "./ActionDialog";
import { RemovedKept, cleanupKeeps, cleanupRemoves } from "./RemovedKept";

export function CleanupDialog(props: ActionDialogOf<CleanupOptions>) {
  const { manifest } = props;
  const [deleteTarget, setDeleteTarget] = useState(false);
  const migrated = manifest.phase === "defined" || manifest.phase === "started";
  return (
    <ActionDialog {...actionDialogHead("cleanup")} danger {...confirmWith(props, () => ({ deleteTarget }))}>
      <RemovedKept
        removedId="v2k-cleanup-removes"
        removed={[...cleanupRemoves(manifest), deleteTarget && _("The copied disk images on this host.")]}
        kept={[cleanupKeeps(), !deleteTarget && _("The disk images on this host."), _("The workdir with its manifest and events.")]}
      />
      {!migrated && (
        <Checkbox
          id="v2k-cleanup-delete-target"
          label={_("Also delete the copied disk images")}
          isChecked={deleteTarget}
          onChange={(_e, v) => setDeleteTarget(v)}
        />
      )}
    </ActionDialog>
  );
}
