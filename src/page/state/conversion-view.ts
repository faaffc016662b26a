// Guest conversion as the page shows it: the rehearsal on throwaway overlays while the VMware VM runs
// (manifest.conversionRehearsal) and the conversion in the cutover (manifest.cutover.conversion). The helper
// records a failed conversion by leaving it "running" with an end time (or by the run's CONVERSION_FAILED):
// here it becomes "failed", with the error's hint.
import { type ErrorInfo } from "../../shared/errors";
import { type ConversionRecord, type ConversionRehearsal, type Manifest } from "../../shared/manifest";

export type ConversionState = ConversionRecord["state"] | "failed";

export interface ConversionShown {
  state: ConversionState;
  tool: ConversionRecord["tool"];
  /** Why this tool, or why nothing was converted. */
  reason: string;
  durationMs: number | null;
  /** Bytes the conversion wrote, over how many ranges and disks (verify leaves them out). */
  changed: { bytes: number; ranges: number; disks: number } | null;
  os: string | null;
  logPath: string | null;
}

export interface RehearsalShown {
  state: ConversionRehearsal["state"];
  /** A round synced after it (before any cutover): the cutover rehearses again. */
  stale: boolean;
  at: string;
  durationMs: number;
  os: string | null;
  logPath: string;
}

export interface ConversionView {
  rehearsal: RehearsalShown | null;
  conversion: ConversionShown | null;
  /** CONVERSION_FAILED of the last command (rehearsal or conversion), with its hint. */
  error: ErrorInfo | null;
}

function changedOf(c: ConversionRecord): ConversionShown["changed"] {
  if (!c.changedRanges) return null;
  const lists = Object.values(c.changedRanges);
  const ranges = lists.flat();
  return { bytes: ranges.reduce((n, r) => n + r[1], 0), ranges: ranges.length, disks: lists.filter((l) => l.length > 0).length };
}

export function conversionState(c: ConversionRecord, m: Manifest, running: boolean): ConversionState {
  if (c.state !== "running") return c.state;
  const failedHere = !running && m.lastError?.code === "CONVERSION_FAILED";
  return c.finishedAt !== undefined || failedHere ? "failed" : "running";
}

function rehearsalOf(m: Manifest): RehearsalShown | null {
  const r = m.conversionRehearsal;
  if (!r) return null;
  const lastSynced = m.rounds.filter((x) => x.status === "synced").reduce((n, x) => Math.max(n, x.n), -1);
  // as the helper judges it; once the cutover began its own conversion is what counts
  const stale = !m.cutover && lastSynced !== r.afterRound;
  return { state: r.state, stale, at: r.at, durationMs: r.durationMs, os: r.os ?? null, logPath: r.logPath };
}

export function conversionView(m: Manifest, running: boolean): ConversionView {
  const c = m.cutover?.conversion;
  const conversion: ConversionShown | null = c
    ? {
        state: conversionState(c, m, running),
        tool: c.tool,
        reason: c.reason,
        durationMs: c.durationMs ?? null,
        changed: changedOf(c),
        os: c.os ?? null,
        logPath: c.logPath ?? null,
      }
    : null;
  const error = !running && m.lastError?.code === "CONVERSION_FAILED" ? m.lastError : null;
  return { rehearsal: rehearsalOf(m), conversion, error };
}
