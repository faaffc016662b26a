// What `status` reports (the page shows this): phase, per-disk sync state, last round figures.
import { type Manifest } from "../../shared/manifest";

export interface RunStatus {
  workdir: string;
  vm: string;
  phase: Manifest["phase"];
  rounds: number;
  lastRound: null | {
    n: number;
    kind: string;
    status: string;
    durationMs: number | null;
    changedBytes: number;
    copiedBytes: number;
    finishedAt: string | null;
  };
  disks: {
    key: number;
    label: string;
    capacityBytes: number;
    syncedChangeId: string | null;
    syncedRound: number | null;
    needsRebase: string | null;
    copiedBytesTotal: number;
    target: string;
  }[];
  openSnapshots: { name: string; moref: string | null; state: string }[];
  warnings: number;
  lastError: Manifest["lastError"];
  /** Disk copies of this run waiting for a host-wide, ESXi host or datastore slot right now. */
  waiting?: { disk: number; since: string; for: string }[];
}

export function statusOf(workdir: string, m: Manifest): RunStatus {
  const last = m.rounds.at(-1);
  return {
    workdir,
    vm: m.vm.name,
    phase: m.phase,
    rounds: m.rounds.length,
    lastRound: last
      ? {
          n: last.n,
          kind: last.kind,
          status: last.status,
          durationMs: last.durationMs ?? null,
          changedBytes: last.changedBytes,
          copiedBytes: last.copiedBytes,
          finishedAt: last.finishedAt ?? null,
        }
      : null,
    disks: m.disks.map((d) => ({
      key: d.key,
      label: d.label,
      capacityBytes: d.capacityBytes,
      syncedChangeId: d.syncedChangeId,
      syncedRound: d.syncedRound,
      needsRebase: d.needsRebase,
      copiedBytesTotal: m.rounds.reduce((s, r) => s + (r.disks[String(d.key)]?.copiedBytes ?? 0), 0),
      target: d.target.path,
    })),
    openSnapshots: m.snapshots.filter((s) => s.state !== "removed").map((s) => ({ name: s.name, moref: s.moref, state: s.state })),
    warnings: m.warnings.length,
    lastError: m.lastError,
  };
}

export function renderStatus(s: RunStatus): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const lines = [`${s.vm}: phase ${s.phase}, ${s.rounds} round(s)`];
  if (s.lastRound) {
    lines.push(
      `last round ${s.lastRound.n} (${s.lastRound.kind}) ${s.lastRound.status}: ${mb(s.lastRound.changedBytes)} changed, ` +
        `${mb(s.lastRound.copiedBytes)} copied${s.lastRound.durationMs !== null ? `, ${(s.lastRound.durationMs / 1000).toFixed(1)} s` : ""}`,
    );
  }
  for (const d of s.disks) {
    lines.push(
      `  ${d.label} (${d.key}): synced ${d.syncedChangeId ?? "-"} (round ${d.syncedRound ?? "-"})${d.needsRebase ? `, rebase: ${d.needsRebase}` : ""}`,
    );
  }
  for (const o of s.openSnapshots) lines.push(`  open snapshot ${o.name} ${o.moref ?? "(creating)"} ${o.state}`);
  for (const w of s.waiting ?? []) lines.push(`  disk ${w.disk} waiting since ${w.since} for ${w.for}`);
  if (s.lastError) lines.push(`last error ${s.lastError.code}: ${s.lastError.message}`);
  return lines.join("\n");
}
