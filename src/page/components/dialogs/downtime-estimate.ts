// The cutover's downtime is mostly its final round: snapshot, copy of the changes since the last round, snapshot
// removal. The last incremental rounds did the same work with the guest still writing, so their mean duration
// is the estimate; their copy rate is shown beside it. A guest shutdown comes on top.
import { type Manifest } from "../../../shared/manifest";

export interface DowntimeEstimate {
  ms: number;
  /** Bytes copied per second over the rounds used; null when they copied nothing. */
  bytesPerSecond: number | null;
  rounds: number;
}

const ROUNDS_USED = 3;

export function estimateDowntime(manifest: Manifest): DowntimeEstimate | null {
  const recent = manifest.rounds
    .filter((r) => r.kind === "incr" && r.status === "synced" && r.durationMs !== undefined)
    .slice(-ROUNDS_USED);
  if (recent.length === 0) return null;
  const totalMs = recent.reduce((s, r) => s + (r.durationMs ?? 0), 0);
  const copied = recent.reduce((s, r) => s + r.copiedBytes, 0);
  return {
    ms: totalMs / recent.length,
    bytesPerSecond: totalMs > 0 && copied > 0 ? (copied * 1000) / totalMs : null,
    rounds: recent.length,
  };
}
