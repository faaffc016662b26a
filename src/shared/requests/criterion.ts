// The runbook's "ready for cutover" criterion: the last incremental round changed fewer than X bytes
// and took less than Y seconds (`--cutover-when bytes<512M,seconds<300`).
import { V2kError } from "../v2k-error";
import { parseSize } from "../sizes";

export interface CutoverCriterion {
  maxBytes: number;
  maxSeconds: number;
}

export function parseCriterion(text: string): CutoverCriterion {
  const c: Partial<CutoverCriterion> = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const m = /^(bytes|seconds)\s*<\s*(\S+)$/.exec(part);
    if (!m)
      throw new V2kError("USAGE", `invalid --cutover-when part '${part}'`, "Write bytes<SIZE,seconds<N, e.g. bytes<512M,seconds<300.");
    if (m[1] === "bytes") {
      const n = parseSize(m[2]!);
      if (n === undefined || n < 0)
        throw new V2kError("USAGE", `invalid size '${m[2]}' in --cutover-when`, "Use bytes or K/M/G, e.g. bytes<64M.");
      c.maxBytes = n;
    } else {
      const s = Number(m[2]);
      if (!Number.isFinite(s) || s <= 0) throw new V2kError("USAGE", `invalid seconds '${m[2]}' in --cutover-when`, "e.g. seconds<120");
      c.maxSeconds = s;
    }
  }
  return { maxBytes: c.maxBytes ?? Number.POSITIVE_INFINITY, maxSeconds: c.maxSeconds ?? Number.POSITIVE_INFINITY };
}

export function criterionHolds(c: CutoverCriterion, round: { changedBytes: number; durationMs: number }): boolean {
  return round.changedBytes < c.maxBytes && round.durationMs / 1000 < c.maxSeconds;
}

/** The criterion as `--cutover-when` text (parseCriterion reads it back to the same values). */
export function formatCriterion(c: CutoverCriterion): string {
  const parts = [
    ...(Number.isFinite(c.maxBytes) ? [`bytes<${c.maxBytes}`] : []),
    ...(Number.isFinite(c.maxSeconds) ? [`seconds<${c.maxSeconds}`] : []),
  ];
  return parts.join(",");
}
