// W/events.log: the same JSON lines as --json stdout, appended and fsync'd per event so that a
// killed helper loses nothing it reported. Sequence numbers continue across runs.
import { closeSync, existsSync, fsyncSync, openSync, readSync, fstatSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type V2kEvent } from "../../shared/events";
import { type EventSink } from "../../kit/emitter";

export const EVENTS_FILE = "events.log";

export function eventsLogPath(dir: string): string {
  return join(dir, EVENTS_FILE);
}

/** The seq of the last complete event line, or -1 for a missing/empty log. Reads only the tail. */
export function lastEventSeq(path: string): number {
  if (!existsSync(path)) return -1;
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString("utf8").split("\n").reverse();
    for (const line of lines) {
      try {
        const seq = (JSON.parse(line) as { seq?: unknown }).seq;
        if (typeof seq === "number") return seq;
      } catch {
        /* torn or partial line: look further back */
      }
    }
    return -1;
  } finally {
    closeSync(fd);
  }
}

export class EventsLogSink implements EventSink {
  constructor(readonly path: string) {
    // a line torn by a crash must not swallow the next event: start on a fresh line
    if (existsSync(path)) {
      const fd = openSync(path, "r+");
      try {
        const size = fstatSync(fd).size;
        const last = Buffer.alloc(1);
        if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) writeSync(fd, "\n", size);
      } finally {
        closeSync(fd);
      }
    }
  }

  write(event: V2kEvent): void {
    const fd = openSync(this.path, "a", 0o600);
    try {
      writeSync(fd, JSON.stringify(event) + "\n");
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
