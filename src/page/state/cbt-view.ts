// CBT per disk as the admin reads it: vCenter's changeId now (`cbt status`) beside the one the target holds
// (manifest), and what follows. The part of a changeId before the slash is the tracking epoch: another epoch
// means CBT was reset (host crash, another tool, a snapshot revert) and the next round copies the disk in full.
import { type Manifest } from "../../shared/manifest";
import { type CbtStatusResult } from "../../shared/results";

export type CbtDiskState = "not-active" | "not-synced" | "tracking" | "reset" | "rebase-pending";

export interface CbtDiskRow {
  key: number;
  label: string;
  changeId: string | null;
  syncedChangeId: string | null;
  state: CbtDiskState;
}

/** The tracking epoch: everything before the last slash (as the helper's rounds compare it). */
function epoch(changeId: string): string {
  const i = changeId.lastIndexOf("/");
  return i < 0 ? changeId : changeId.slice(0, i);
}

export function cbtDiskRows(m: Manifest, status: CbtStatusResult): CbtDiskRow[] {
  return m.disks.map((d) => {
    const now = status.disks.find((s) => s.key === d.key);
    const changeId = now?.changeId ?? null;
    const synced = d.syncedChangeId;
    let state: CbtDiskState;
    if (!status.enabled || changeId === null) state = "not-active";
    else if (d.needsRebase) state = "rebase-pending";
    else if (!synced || synced === "*") state = "not-synced";
    else state = epoch(changeId) === epoch(synced) ? "tracking" : "reset";
    return { key: d.key, label: now?.label ?? d.label, changeId, syncedChangeId: synced, state };
  });
}
