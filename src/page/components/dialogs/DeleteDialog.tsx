// Delete migration: cleanup with the workdir removed. Lists what goes and what stays; the copied disk
// images go too unless the admin keeps them (a rolled-back copy is of no use without its workdir).
import { useState } from "react";
import { type DeleteOptions } from "../../host/api";
import { _, format } from "../../i18n";
import { Checkbox } from "../../pf";
import { ActionDialog, actionDialogHead, confirmWith, type ActionDialogOf } from "./ActionDialog";
import { RemovedKept, cleanupKeeps, cleanupRemoves } from "./RemovedKept";

export function DeleteDialog(props: ActionDialogOf<DeleteOptions> & { workdir: string }) {
  const { manifest, workdir } = props;
  const [deleteTarget, setDeleteTarget] = useState(!manifest.rollback?.disksRemoved);
  return (
    <ActionDialog {...actionDialogHead("delete")} danger {...confirmWith(props, () => ({ deleteTarget }))}>
      <RemovedKept
        removedId="v2k-delete-removes"
        removed={[
          format(_("The workdir $0 with its manifest, events and logs."), workdir),
          ...cleanupRemoves(manifest),
          deleteTarget && format(_("The copied disk images: $0."), manifest.disks.map((d) => d.target.path).join(", ")),
        ]}
        kept={[cleanupKeeps(), !deleteTarget && _("The disk images on this host.")]}
      />
      <Checkbox
        id="v2k-delete-target"
        label={_("Also delete the copied disk images")}
        isChecked={deleteTarget}
        onChange={(_e, v) => setDeleteTarget(v)}
      />
    </ActionDialog>
  );
}
