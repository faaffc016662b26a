// Follows an append-only events.log by reading only what was appended since the last read (the log
// of a long migration grows to megabytes; re-reading it on every change would flood the socket).
// The first read takes only the last `windowBytes`. A file shorter than what was read means it was
// replaced: start over. Offsets count bytes and only ever advance by complete lines.
import { parseEventLine, type V2kEvent } from "../../shared/events";
import { type TailChunk } from "../../shared/results";

export type { TailChunk };

/** Reads the file from `offset` (bytes); offset -1 asks for the last `window` bytes. */
export type TailReader = (offset: number, window: number) => Promise<TailChunk>;

const utf8 = new TextEncoder();

export class EventLogTail {
  private offset = -1;
  private busy = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly read: TailReader,
    private readonly onEvents: (events: V2kEvent[], restarted: boolean) => void,
    private readonly onMalformed: (line: string) => void = () => {},
    private readonly windowBytes = 2 * 1024 * 1024,
  ) {}

  /** The file changed (or may have): read what is new. Calls during a read fold into one more read. */
  poke(): Promise<void> {
    if (this.busy) {
      this.again = true;
      return Promise.resolve();
    }
    return this.pump();
  }

  close(): void {
    this.closed = true;
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again && !this.closed);
    } finally {
      this.busy = false;
    }
  }

  private async readOnce(): Promise<void> {
    let restarted = false;
    let chunk = await this.read(this.offset, this.windowBytes);
    if (chunk.size >= 0 && chunk.start < 0) {
      restarted = true; // truncated or replaced
      this.offset = -1;
      chunk = await this.read(-1, this.windowBytes);
    }
    if (this.closed || chunk.size < 0 || chunk.start < 0) return;
    let text = chunk.text;
    let start = chunk.start;
    if (this.offset < 0 && start > 0) {
      // began inside the file: the first line is probably partial
      const nl = text.indexOf("\n");
      const skipped = nl < 0 ? text : text.slice(0, nl + 1);
      start += utf8.encode(skipped).length;
      text = text.slice(skipped.length);
    }
    const end = text.lastIndexOf("\n");
    const complete = end < 0 ? "" : text.slice(0, end + 1);
    this.offset = start + utf8.encode(complete).length;
    const events: V2kEvent[] = [];
    for (const line of complete.split("\n")) {
      if (line.trim() === "") continue;
      const parsed = parseEventLine(line);
      if ("event" in parsed) events.push(parsed.event);
      else if (parsed.ignored === "malformed") this.onMalformed(line);
    }
    if (events.length > 0 || restarted) this.onEvents(events, restarted);
  }
}
