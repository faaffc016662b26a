// The kebab of a rolled-back migration: retry on the same workdir, or delete the migration. A retry the
// helper would refuse is shown disabled with the reason, so the admin knows to start a new migration.
import { useState } from "react";
import EllipsisVIcon from "@patternfly/react-icons/dist/esm/icons/ellipsis-v-icon";
import { type Manifest } from "../../../shared/manifest";
import { _ } from "../../i18n";
import { actionLabel } from "../../labels";
import { rollbackMenu, type MenuAction } from "../../state/derive";
import { Dropdown, DropdownItem, DropdownList, MenuToggle } from "../../pf";

function disabledReason(a: MenuAction): string | undefined {
  switch (a.reason) {
    case "cleaned":
      return _("Cleaned up: start a new migration to try again.");
    case "disks-removed":
      return _("Rollback removed the target disks: start a new migration.");
    case "no-base":
      return _("No base copy was finished: start a new migration.");
    default:
      return undefined;
  }
}

export function RollbackMenu({
  manifest,
  disabled,
  onSelect,
}: {
  manifest: Manifest;
  disabled: boolean;
  onSelect(id: MenuAction["id"]): void;
}) {
  const [open, setOpen] = useState(false);
  const items = rollbackMenu(manifest);
  if (items.length === 0) return null;
  return (
    <Dropdown
      isOpen={open}
      onOpenChange={setOpen}
      onSelect={() => setOpen(false)}
      popperProps={{ position: "right" }}
      toggle={(ref) => (
        <MenuToggle
          ref={ref}
          id="v2k-rollback-menu"
          variant="plain"
          aria-label={_("More actions")}
          isDisabled={disabled}
          isExpanded={open}
          onClick={() => setOpen(!open)}
          icon={<EllipsisVIcon />}
        />
      )}
    >
      <DropdownList>
        {items.map((a) => (
          <DropdownItem
            key={a.id}
            id={`v2k-menu-${a.id}`}
            isDisabled={!a.enabled}
            isDanger={a.id === "delete"}
            description={disabledReason(a)}
            onClick={() => onSelect(a.id)}
          >
            {actionLabel(a.id)}
          </DropdownItem>
        ))}
      </DropdownList>
    </Dropdown>
  );
}
