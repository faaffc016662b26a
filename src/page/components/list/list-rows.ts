// Rows of the migrations list: what each column shows and how it sorts.
import { type ListedMigration } from "../../../shared/results";
import { cutoverReady, lastRound } from "../../state/derive";

export type ColumnId = "vm" | "vcenter" | "phase" | "lastRound" | "ready" | "state";
export type RunState = "running" | "waiting" | "failed" | "idle";

export interface Row {
  workdir: string;
  vm: string;
  vcenter: string;
  phase: ListedMigration["manifest"]["phase"];
  lastChangedBytes: number | null;
  lastDurationMs: number | null;
  ready: boolean;
  state: RunState;
  updatedAt: string;
}

export function toRow(m: ListedMigration): Row {
  const last = lastRound(m.manifest);
  let vcenter = m.manifest.vcenter.url;
  try {
    vcenter = new URL(vcenter).host;
  } catch {
    // keep the raw URL
  }
  return {
    workdir: m.workdir,
    vm: m.manifest.vm.name,
    vcenter,
    phase: m.manifest.phase,
    lastChangedBytes: last ? last.changedBytes : null,
    lastDurationMs: last ? last.durationMs : null,
    ready: cutoverReady(m.manifest),
    state: m.running ? (m.waiting?.length ? "waiting" : "running") : m.manifest.lastError ? "failed" : "idle",
    updatedAt: m.manifest.updatedAt,
  };
}

const phaseOrder = [
  "initialized",
  "cbt-enabled",
  "base-synced",
  "incr-synced",
  "cutover-running",
  "final-synced",
  "defined",
  "started",
  "rolled-back",
  "cleaned",
];

export function sortRows(rows: Row[], by: ColumnId, ascending: boolean): Row[] {
  const key = (r: Row): string | number => {
    switch (by) {
      case "vm":
        return r.vm.toLowerCase();
      case "vcenter":
        return r.vcenter;
      case "phase":
        return phaseOrder.indexOf(r.phase);
      case "lastRound":
        return r.lastChangedBytes ?? -1;
      case "ready":
        return r.ready ? 1 : 0;
      case "state":
        return r.state;
    }
  };
  const sorted = [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : a.workdir.localeCompare(b.workdir);
  });
  return ascending ? sorted : sorted.reverse();
}
