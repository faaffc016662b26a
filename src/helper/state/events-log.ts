// W/events.log: the same JSON lines as --json stdout. Each event is appended before emit() returns, so
// a killed helper loses nothing it reported; the fsync that makes lines survive a host crash runs off
// the event loop (one at a time, covering every line written before it) and once more at exit. A host
// crash may lose the last lines of its final milliseconds, never the manifest (written and fsync'd
// before the step goes on). Sequence numbers continue across runs.
import { close, closeSync, existsSync, fsync, fsyncSync, open, openSync, readSync, fstatSync, writeSync } from "node:fs";
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
  readonly key: string;

  constructor(readonly path: string) {
    this.key = `events.log ${path}`;
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
    } finally {
      closeSync(fd);
    }
    backgroundSync.request(this.path);
  }
}

/** fsyncs of appended logs, off the event loop: one per file in flight, another when lines came meanwhile. */
class BackgroundSync {
  private readonly running = new Set<string>();
  private readonly pending = new Set<string>();
  private exitHook = false;

  request(path: string): void {
    this.pending.add(path);
    if (!this.exitHook) {
      this.exitHook = true;
      process.once("exit", () => this.flushNow());
    }
    if (!this.running.has(path)) this.start(path);
  }

  /** Whatever is not known to be on disk yet, synchronously (process exit). */
  flushNow(): void {
    for (const path of new Set([...this.pending, ...this.running])) {
      try {
        const fd = openSync(path, "r");
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } catch {
        /* the workdir went away (purged): nothing to keep */
      }
    }
    this.pending.clear();
  }

  private start(path: string): void {
    this.pending.delete(path);
    this.running.add(path);
    const done = () => {
      this.running.delete(path);
      if (this.pending.has(path)) this.start(path);
    };
    open(path, "r", (err, fd) => {
      if (err) return done();
      fsync(fd, () => close(fd, done));
    });
  }
}

const backgroundSync = new BackgroundSync();
