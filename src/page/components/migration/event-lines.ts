// What the events log shows of each event, and which events it shows (pure, tested under node).
import { type V2kEvent } from "../../../shared/events";

export const SHOWN = 500;
export type LevelFilter = "all" | "info" | "warn" | "error";

export function eventLevel(e: V2kEvent): "debug" | "info" | "warn" | "error" {
  if (e.type === "log") return e.level;
  if (e.type === "error" || (e.type === "result" && !e.ok)) return "error";
  return "info";
}

export function eventText(e: V2kEvent): string {
  switch (e.type) {
    case "log":
      return e.message;
    case "phase":
      return `[${e.phase}] ${e.message}`;
    case "round":
      return `round ${e.round} (${e.kind}): ${e.changedBytes} bytes changed, ${e.copiedBytes} copied, ${e.durationMs} ms`;
    case "error":
      return `${e.error.code}: ${e.error.message} — ${e.error.hint}`;
    case "result":
      return e.ok ? `${e.command}: ok` : `${e.command}: ${e.error?.code ?? "failed"} ${e.error?.message ?? ""}`;
    case "progress":
      return `disk ${e.disk}: ${e.bytes}/${e.total}`;
  }
}

function eventDisk(e: V2kEvent): number | undefined {
  return e.type === "log" || e.type === "progress" ? e.disk : undefined;
}

const rank = { debug: 0, info: 1, warn: 2, error: 3 } as const;

/** The lines the log shows: no progress (those are bars), no debug lines, then the level and disk filters. */
export function visibleEvents(events: V2kEvent[], level: LevelFilter, disk: "all" | number, limit = SHOWN): V2kEvent[] {
  return events
    .filter((e) => e.type !== "progress")
    .filter((e) => (level === "all" ? eventLevel(e) !== "debug" : rank[eventLevel(e)] >= rank[level]))
    .filter((e) => disk === "all" || eventDisk(e) === disk)
    .slice(-limit);
}
