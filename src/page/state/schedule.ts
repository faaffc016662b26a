// A scheduled cutover (`run --until cutover --cutover-at TIME`): the admin picks a moment in the browser's
// local time; the helper gets it as an ISO date-time with that offset (one moment whatever the host's clock
// zone). While the run waits, its command line (operation.json, without secrets) and its first log line
// (the field cutoverAt) say for when; cancelling that job cancels the schedule.
import { type V2kEvent } from "../../shared/events";
import { type OperationRecord } from "../../shared/results";

/** "+09:00" for an offset east of UTC (Date#getTimezoneOffset counts the other way). */
function offsetText(date: Date): string {
  const east = -date.getTimezoneOffset();
  const abs = Math.abs(east);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${east >= 0 ? "+" : "-"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * The value of a datetime-local input ("2026-12-05T02:00" or with seconds) as an ISO date-time with the
 * browser's offset at that moment ("2026-12-05T02:00:00+09:00"), or null when it is no such time.
 */
export function localInputToIso(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const local = new Date(y, mo - 1, d, h, mi, s);
  // a date that rolled over (Feb 30) or a clock gap (DST) is not the time the admin typed
  if (local.getFullYear() !== y || local.getMonth() !== mo - 1 || local.getDate() !== d || local.getHours() !== h) return null;
  return `${value.slice(0, 16)}:${String(s).padStart(2, "0")}${offsetText(local)}`;
}

/** A datetime-local value for a moment (the input's own format, in the browser's zone). */
export function isoToLocalInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** The browser's zone as the admin knows it: "Asia/Seoul, UTC+09:00". */
export function timezoneLabel(at: Date = new Date()): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const utc = `UTC${offsetText(at)}`;
  return zone && zone !== "UTC" ? `${zone}, ${utc}` : utc;
}

export type ScheduleProblem = "invalid" | "past";

/** Why the chosen time cannot be scheduled (the helper refuses a past moment too), or null. */
export function scheduleProblem(iso: string | null, now: number = Date.now()): ScheduleProblem | null {
  if (iso === null) return "invalid";
  return Date.parse(iso) <= now ? "past" : null;
}

/** The `--cutover-at` value of a command line, if any. */
function cutoverAtOf(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--cutover-at") return argv[i + 1] ?? null;
    if (argv[i]!.startsWith("--cutover-at=")) return argv[i]!.slice("--cutover-at=".length);
  }
  return null;
}

/**
 * A run started by an earlier version (still waiting for its window across an upgrade) said the moment only in
 * its English first line; the line now carries it as the field `cutoverAt`, in whatever language it speaks.
 */
const LEGACY_SCHEDULED_LINE = /^the cutover is scheduled for (\S+);/;

/** The moment a run's schedule line names, or undefined for any other event. */
function scheduleOf(e: V2kEvent): string | undefined {
  if (e.type !== "log" || e.step !== "run") return undefined;
  return e.cutoverAt ?? LEGACY_SCHEDULED_LINE.exec(e.message)?.[1];
}

/**
 * The scheduled cutover of a running migration: from the job's command line (started from the page or
 * with `job start`), else from the run's own schedule line (a `run` typed in a terminal). Null when nothing runs.
 */
export function scheduledCutover(running: boolean, op: OperationRecord | null, events: readonly V2kEvent[]): Date | null {
  if (!running) return null;
  const fromArgv = op && op.exitCode === undefined && op.argv ? cutoverAtOf(op.argv) : null;
  // an ISO date-time names the moment; "HH:MM" meant the host's clock, which the run's own line resolves
  const at = fromArgv ? new Date(fromArgv) : null;
  if (at && !Number.isNaN(at.getTime())) return at;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === "result") return null; // a command ended after the last schedule line
    const text = scheduleOf(e);
    if (text) return Number.isNaN(Date.parse(text)) ? null : new Date(text);
  }
  return null;
}
