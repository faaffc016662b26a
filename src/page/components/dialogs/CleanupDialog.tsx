// Cleanup: removes only what this migration created; never the source VM, never user snapshots.
import { useState } from "react";
import { type Manifest } from "../../../shared/manifest";
import { type CleanupOptions, type VcenterConnection } from "../../host/api";
import { _, format } from "../../i18n";
import { Checkbox, Content } from "../../pf";
import { ActionDialog } from "./ActionDialog";

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
  const ours = manifest.snapshots.filter((s) => s.state !== "removed");
  const migrated = manifest.phase === "defined" || manifest.phase === "started";
  return (
    <ActionDialog
      id="v2k-cleanup-dialog"
      title={_("Clean up")}
      confirmLabel={_("Clean up")}
      danger
      manifest={manifest}
      conn={conn}
      onClose={onClose}
      onConfirm={(c) => onConfirm({ deleteTarget }, c)}
    >
      <Content>
        <p>{_("Removed:")}</p>
        <ul>
          <li>{format(_("Migration snapshots created by this tool ($0 left), identified by their recorded IDs."), ours.length)}</li>
          <li>{_("Leftover transfer processes of this migration.")}</li>
          {deleteTarget && <li>{_("The copied disk images on this host.")}</li>}
        </ul>
        <p>{_("Kept:")}</p>
        <ul>
          <li>{_("The VMware VM and every snapshot not created by this tool.")}</li>
          {!deleteTarget && <li>{_("The disk images on this host.")}</li>}
          <li>{_("The workdir with its manifest and events.")}</li>
        </ul>
      </Content>
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
