// Cleanup: removes only what this migration created; never the source VM, never user snapshots.
import { useState } from "react";
import { type Manifest } from "../../../shared/manifest";
import { type CleanupOptions, type VcenterConnection } from "../../host/api";
import { _ } from "../../i18n";
import { Checkbox } from "../../pf";
import { ActionDialog, actionDialogHead } from "./ActionDialog";
import { RemovedKept, cleanupKeeps, cleanupRemoves } from "./RemovedKept";

export function CleanupDialog({
  manifest,
  conn,
  onConfirm,
  onClose,
}: {
  manifest: Manifest;
  conn: VcenterConnection | undefined;
  onConfirm(opts: CleanupOptions, conn: VcenterConnection): Promise<void>;
  onClose(): void;
}) {
  const [deleteTarget, setDeleteTarget] = useState(false);
  const migrated = manifest.phase === "defined" || manifest.phase === "started";
  return (
    <ActionDialog
      {...actionDialogHead("cleanup")}
      danger
      manifest={manifest}
      conn={conn}
      onClose={onClose}
      onConfirm={(c) => onConfirm({ deleteTarget }, c)}
    >
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
