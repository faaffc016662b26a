// Delete migration: cleanup with the workdir removed. Lists what goes and what stays; the copied disk
// images go too unless the admin keeps them (a rolled-back copy is of no use without its workdir).
import { useState } from "react";
import { type Manifest } from "../../../shared/manifest";
import { type DeleteOptions, type VcenterConnection } from "../../host/api";
import { _, format } from "../../i18n";
import { Checkbox } from "../../pf";
import { ActionDialog, actionDialogHead } from "./ActionDialog";
import { RemovedKept, cleanupKeeps, cleanupRemoves } from "./RemovedKept";

export function DeleteDialog({
  manifest,
  workdir,
  conn,
  onConfirm,
  onClose,
}: {
  manifest: Manifest;
  workdir: string;
  conn: VcenterConnection | undefined;
  onConfirm(opts: DeleteOptions, conn: VcenterConnection): Promise<void>;
  onClose(): void;
}) {
  const [deleteTarget, setDeleteTarget] = useState(!manifest.rollback?.disksRemoved);
  return (
    <ActionDialog
      {...actionDialogHead("delete")}
      danger
      manifest={manifest}
      conn={conn}
      onClose={onClose}
      onConfirm={(c) => onConfirm({ deleteTarget }, c)}
    >
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
