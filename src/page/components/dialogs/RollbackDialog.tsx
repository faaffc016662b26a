// Rollback: what is removed on KVM, and what is kept (the source VM, always).
import { useState } from "react";
import { type RollbackOptions } from "../../host/api";
import { _ } from "../../i18n";
import { Checkbox } from "../../pf";
import { ActionDialog, confirmWith, type ActionDialogOf } from "./ActionDialog";
import { RemovedKept } from "./RemovedKept";

export function RollbackDialog(props: ActionDialogOf<RollbackOptions>) {
  const [removeDisks, setRemoveDisks] = useState(false);
  return (
    <ActionDialog
      id="v2k-rollback-dialog"
      title={_("Roll back to VMware")}
      confirmLabel={_("Roll back")}
      danger
      {...confirmWith(props, () => ({ removeDisks }))}
    >
      <RemovedKept
        removedId="v2k-rollback-removes"
        removed={[
          _("The KVM domain of this migration is stopped and undefined, if it exists."),
          removeDisks && _("The copied disk images on this host."),
        ]}
        kept={[
          _("The VMware VM, which is powered on again if this migration turned it off."),
          !removeDisks && _("The copied disk images on this host."),
          _("The workdir with its manifest and events."),
        ]}
      />
      <Checkbox
        id="v2k-rollback-remove-disks"
        label={_("Also remove the copied disk images")}
        isChecked={removeDisks}
        onChange={(_e, v) => setRemoveDisks(v)}
      />
    </ActionDialog>
  );
}
