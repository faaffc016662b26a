// Follows a workdir's manifest.json and events.log through cockpit.file().watch (inotify in the
// bridge): the page re-attaches to running work by watching, it does not poll.
import { Manifest } from "../../shared/manifest";
import { parseEventLine, type V2kEvent } from "../../shared/events";
import { type ErrorInfo } from "../../shared/errors";
import { OperationRecord } from "../../shared/results";
import { cockpit } from "./cockpit";
import { LineSplitter } from "./line-splitter";

export interface Unwatch {
  (): void;
}

export function manifestFromText(text: string, path: string): { manifest: Manifest } | { error: ErrorInfo } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: { code: "MANIFEST_CORRUPT", message: `${path} is not valid JSON`, hint: "Restore the manifest or remove the workdir.", detail: String(e) } };
  }
  const parsed = Manifest.safeParse(value);
  if (!parsed.success) {
    return {
      error: {
        code: "MANIFEST_CORRUPT", message: `${path} does not match the manifest schema`,
        hint: "The page and the helper may be different versions: reinstall both.",
        detail: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"),
      },
    };
  }
  return { manifest: parsed.data };
}

export function watchManifest(workdir: string, onChange: (result: { manifest: Manifest } | { error: ErrorInfo } | { missing: true }) => void): Unwatch {
  const path = `${workdir}/manifest.json`;
  const file = cockpit().file(path, { superuser: "require", max_read_size: 64 * 1024 * 1024 });
  const handle = file.watch((content, _tag, error) => {
    if (error) {
      onChange({ error: { code: "WORKDIR_INVALID", message: `${path} cannot be read: ${error.message ?? error.problem ?? "error"}`, hint: "Check that the workdir exists." } });
    } else if (content === null) {
      onChange({ missing: true });
    } else {
      onChange(manifestFromText(content, path));
    }
  }, { read: true });
  return () => {
    handle.remove();
    file.close();
  };
}

/**
 * Turns successive full reads of an append-only log into new events only. A shorter file than
 * before means it was replaced: start over.
 */
export class EventLogReader {
  private consumed = 0;
  private splitter = new LineSplitter();

  constructor(private readonly onEvent: (event: V2kEvent) => void, private readonly onMalformed: (line: string) => void = () => {}) {}

  /** Returns true when the log was restarted (the caller drops the events it had). */
  update(content: string): boolean {
    let restarted = false;
    if (content.length < this.consumed) {
      this.consumed = 0;
      this.splitter = new LineSplitter();
      restarted = true;
    }
    const fresh = content.slice(this.consumed);
    this.consumed = content.length;
    for (const line of this.splitter.push(fresh)) {
      const parsed = parseEventLine(line);
      if ("event" in parsed) this.onEvent(parsed.event);
      else if (parsed.ignored === "malformed") this.onMalformed(line);
    }
    return restarted;
  }
}

export function watchEvents(workdir: string, onEvents: (events: V2kEvent[], restarted: boolean) => void, onMalformed?: (line: string) => void): Unwatch {
  const file = cockpit().file(`${workdir}/events.log`, { superuser: "require", max_read_size: 256 * 1024 * 1024 });
  let batch: V2kEvent[] = [];
  const reader = new EventLogReader((e) => batch.push(e), onMalformed);
  const handle = file.watch((content) => {
    if (content === null) return;
    const restarted = reader.update(content);
    const events = batch;
    batch = [];
    if (events.length > 0 || restarted) onEvents(events, restarted);
  }, { read: true });
  return () => {
    handle.remove();
    file.close();
  };
}

export function watchOperation(workdir: string, onChange: (record: OperationRecord | null) => void): Unwatch {
  const file = cockpit().file(`${workdir}/operation.json`, { superuser: "require" });
  const handle = file.watch((content) => {
    if (content === null) return onChange(null);
    try {
      const parsed = OperationRecord.safeParse(JSON.parse(content));
      onChange(parsed.success ? parsed.data : null);
    } catch {
      onChange(null); // being replaced; the next change brings the complete file
    }
  }, { read: true });
  return () => {
    handle.remove();
    file.close();
  };
}
