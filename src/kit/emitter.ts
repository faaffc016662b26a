// Builds V2kEvents (timestamp, sequence, redaction) and fans them out to sinks:
// stdout as JSON lines (--json), stdout as human text, and events.log of a workdir.
import { type V2kEvent, type Level } from "../shared/events";
import { type ErrorInfo } from "../shared/errors";
import { redact } from "../shared/redact";
import { say } from "../shared/i18n/lang";

type Without<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;
export type EventBody = Without<V2kEvent, "ts" | "seq">;

export interface EventSink {
  write(event: V2kEvent): void;
  /** A sink with the key of one already added is not added again (one file opened by init, then by run). */
  readonly key?: string;
}

export class Emitter {
  private seq: number;
  private readonly sinks: EventSink[] = [];

  constructor(firstSeq = 0) {
    this.seq = firstSeq;
  }

  addSink(sink: EventSink): void {
    if (sink.key !== undefined && this.sinks.some((s) => s.key === sink.key)) return;
    this.sinks.push(sink);
  }

  /** Continue numbering after the events already in a log (resumed runs). */
  continueFrom(lastSeq: number): void {
    if (lastSeq >= this.seq) this.seq = lastSeq + 1;
  }

  emit(body: EventBody): V2kEvent {
    const event = { ts: new Date().toISOString(), seq: this.seq++, ...body } as V2kEvent;
    if ("message" in event && typeof event.message === "string") (event as { message: string }).message = redact(event.message);
    for (const sink of this.sinks) sink.write(event);
    return event;
  }

  log(level: Level, step: string, message: string, disk?: number): void {
    this.emit(disk === undefined ? { type: "log", level, step, message } : { type: "log", level, step, message, disk });
  }

  error(step: string, error: ErrorInfo): void {
    this.emit({ type: "error", step, error });
  }
}

export const jsonStdoutSink: EventSink = {
  write(event) {
    process.stdout.write(JSON.stringify(event) + "\n");
  },
};

/** Human-readable progress on stderr so that stdout stays the command's answer. */
export const humanStderrSink: EventSink = {
  write(event) {
    switch (event.type) {
      case "log":
        if (event.level !== "debug")
          process.stderr.write(`${event.level === "info" ? "" : event.level.toUpperCase() + ": "}${event.message}\n`);
        break;
      case "phase":
        process.stderr.write(`== ${event.phase}: ${event.message}\n`);
        break;
      case "progress": {
        const pct = event.total > 0 ? ((100 * event.bytes) / event.total).toFixed(1) : "100.0";
        process.stderr.write(`${say("disk", "디스크")} ${event.disk}: ${pct}% (${(event.rateBps / 1e6).toFixed(1)} MB/s)\n`);
        break;
      }
      case "round":
        process.stderr.write(
          say(
            `round ${event.round} (${event.kind}): ${event.changedBytes} changed bytes, ${event.durationMs} ms\n`,
            `라운드 ${event.round}(${event.kind}): ${event.changedBytes}바이트 변경, ${event.durationMs}ms\n`,
          ),
        );
        break;
      case "error":
        process.stderr.write(`ERROR ${event.error.code}: ${event.error.message}\n  hint: ${event.error.hint}\n`);
        break;
      case "result":
        break;
    }
  },
};
