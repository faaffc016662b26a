// events.log and `--json` stdout carry the same JSON lines. Readers (the page) must ignore
// unknown `type`s so that new event kinds never break an older page.
import { z } from "zod";
import { ErrorInfo } from "./errors";

const base = {
  ts: z.string(), // ISO 8601
  seq: z.number().int().nonnegative(),
  step: z.string(), // command or sub-step, e.g. "sync", "snapshot", "cutover.define"
};

export const Level = z.enum(["debug", "info", "warn", "error"]);
export type Level = z.infer<typeof Level>;

export const LogEvent = z.object({
  ...base,
  type: z.literal("log"),
  level: Level,
  message: z.string(),
  disk: z.number().int().optional(), // device key
  slot: z.enum(["waiting", "granted"]).optional(), // a disk copy waits for, or got, a host copy slot
  /** A scheduled run's first line: the moment of the cutover (ISO, UTC) and the rounds' interval, for readers of any language. */
  cutoverAt: z.string().optional(),
  intervalSec: z.number().nonnegative().optional(),
});

/** The fields of the line that announces a scheduled cutover. */
export interface CutoverSchedule {
  cutoverAt: string;
  intervalSec: number;
}

export const ProgressEvent = z.object({
  ...base,
  type: z.literal("progress"),
  disk: z.number().int(),
  bytes: z.number().nonnegative(), // completed, skipped bytes included
  total: z.number().nonnegative(),
  rateBps: z.number().nonnegative(),
  etaSec: z.number().nonnegative().optional(),
});

export const PhaseEvent = z.object({
  ...base,
  type: z.literal("phase"),
  phase: z.string(),
  message: z.string(),
});

export const RoundEvent = z.object({
  ...base,
  type: z.literal("round"),
  round: z.number().int().nonnegative(),
  kind: z.enum(["base", "incr", "final"]),
  changedBytes: z.number().nonnegative(),
  copiedBytes: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** From the round's start to its snapshot removed (durationMs ends at the last commit). */
  totalMs: z.number().nonnegative().optional(),
  /** Where totalMs went: snapshot, prepare, qcda, serversUp, copy, serversDown, commit, snapshotRemove (disks summed). */
  phasesMs: z.record(z.string(), z.number().nonnegative()).optional(),
  /** Bytes read from the source (changed areas plus the gaps coalesced with them). */
  bytesRead: z.number().nonnegative().optional(),
});

export const ErrorEvent = z.object({
  ...base,
  type: z.literal("error"),
  error: ErrorInfo,
});

/** Last line of every command run with --json. */
export const ResultEvent = z.object({
  ...base,
  type: z.literal("result"),
  command: z.string(),
  ok: z.boolean(),
  data: z.unknown().optional(),
  error: ErrorInfo.optional(),
});

export const V2kEvent = z.discriminatedUnion("type", [LogEvent, ProgressEvent, PhaseEvent, RoundEvent, ErrorEvent, ResultEvent]);
export type V2kEvent = z.infer<typeof V2kEvent>;
export type ResultEvent = z.infer<typeof ResultEvent>;

/** Parse one line; unknown types and malformed lines come back as null with a reason. */
export function parseEventLine(line: string): { event: V2kEvent } | { ignored: "unknown-type" | "malformed"; raw: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ignored: "malformed", raw: line };
  }
  const parsed = V2kEvent.safeParse(value);
  if (parsed.success) return { event: parsed.data };
  const type = (value as { type?: unknown } | null)?.type;
  const known = ["log", "progress", "phase", "round", "error", "result"];
  return { ignored: typeof type === "string" && !known.includes(type) ? "unknown-type" : "malformed", raw: line };
}
