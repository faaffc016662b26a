// `run --cutover-at TIME`: the maintenance window in which the cutover may begin. HH:MM is the next such
// time on this host's clock (today, else tomorrow); an ISO date-time names one moment. A past moment is
// refused: a window that already closed must not become an immediate, unplanned shutdown.
import { V2kError } from "../v2k-error";

export const CUTOVER_AT_PATTERN = /^(\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)$/;

const HINT = "Give HH:MM (the next such time on this host) or an ISO date-time in the future, e.g. 2026-12-05T02:00+09:00.";

export function parseCutoverAt(text: string, now: Date = new Date()): Date {
  const hm = /^(\d{2}):(\d{2})$/.exec(text);
  if (hm) {
    const [h, min] = [Number(hm[1]), Number(hm[2])];
    if (h > 23 || min > 59) throw new V2kError("USAGE", `--cutover-at ${text} is not a time of day`, HINT);
    const at = new Date(now);
    at.setHours(h, min, 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    return at;
  }
  const at = CUTOVER_AT_PATTERN.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new V2kError("USAGE", `--cutover-at ${text} is not a time`, HINT);
  if (at.getTime() <= now.getTime()) {
    throw new V2kError("USAGE", `--cutover-at ${text} is in the past (now ${now.toISOString()})`, HINT);
  }
  return at;
}
