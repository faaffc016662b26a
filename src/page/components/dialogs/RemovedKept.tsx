// What a destructive step removes and what it keeps, as every such dialog lists it (rollback, cleanup,
// delete), and the items cleanup and delete share: only what this migration created goes.
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { Content } from "../../pf";

/** Items: text, or false for one that does not apply (left out). */
type Items = readonly (string | false)[];

function List({ items, id }: { items: Items; id?: string | undefined }) {
  return (
    <ul {...(id ? { id } : {})}>
      {items
        .filter((i): i is string => i !== false)
        .map((text) => (
          <li key={text}>{text}</li>
        ))}
    </ul>
  );
}

export function RemovedKept({ removed, kept, removedId }: { removed: Items; kept: Items; removedId?: string }) {
  return (
    <Content>
      <p>{_("Removed:")}</p>
      <List items={removed} id={removedId} />
      <p>{_("Kept:")}</p>
      <List items={kept} />
    </Content>
  );
}

/** What cleanup removes on VMware and on this host, whether or not the workdir goes too. */
export function cleanupRemoves(manifest: Manifest): string[] {
  const ours = manifest.snapshots.filter((s) => s.state !== "removed");
  return [
    format(_("Migration snapshots created by this tool ($0 left), identified by their recorded IDs."), ours.length),
    _("Leftover transfer processes of this migration."),
  ];
}

/** What cleanup never touches. */
export const cleanupKeeps = (): string => _("The VMware VM and every snapshot not created by this tool.");
