// Follows a workdir's manifest.json and events.log through cockpit.file().watch (inotify in the
// bridge): the page re-attaches to running work by watching, it does not poll.
import { Manifest } from "../../shared/manifest";
import { type V2kEvent } from "../../shared/events";
import { EventLogTail, type TailReader } from "./event-log-tail";
import { type ErrorInfo } from "../../shared/errors";
import { OperationRecord, TailChunk } from "../../shared/results";
import { cockpit } from "./cockpit";
import { runHelper } from "./helper";

export interface Unwatch {
  (): void;
}

export function manifestFromText(text: string, path: string): { manifest: Manifest } | { error: ErrorInfo } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      error: {
        code: "MANIFEST_CORRUPT",
        message: `${path} is not valid JSON`,
        hint: "Restore the manifest or remove the workdir.",
        detail: String(e),
      },
    };
  }
  const parsed = Manifest.safeParse(value);
  if (!parsed.success) {
    return {
      error: {
        code: "MANIFEST_CORRUPT",
        message: `${path} does not match the manifest schema`,
        hint: "The page and the helper may be different versions: reinstall both.",
        detail: parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join(".")}: ${i.message}`)
          .join("\n"),
      },
    };
  }
  return { manifest: parsed.data };
}

export function watchManifest(
  workdir: string,
  onChange: (result: { manifest: Manifest } | { error: ErrorInfo } | { missing: true }) => void,
): Unwatch {
  const path = `${workdir}/manifest.json`;
  const file = cockpit().file(path, { superuser: "require", max_read_size: 64 * 1024 * 1024 });
  const handle = file.watch(
    (content, _tag, error) => {
      if (error) {
        onChange({
          error: {
            code: "WORKDIR_INVALID",
            message: `${path} cannot be read: ${error.message ?? error.problem ?? "error"}`,
            hint: "Check that the workdir exists.",
          },
        });
      } else if (content === null) {
        onChange({ missing: true });
      } else {
        onChange(manifestFromText(content, path));
      }
    },
    { read: true },
  );
  return () => {
    handle.remove();
    file.close();
  };
}

export function watchEvents(
  workdir: string,
  onEvents: (events: V2kEvent[], restarted: boolean) => void,
  onMalformed?: (line: string) => void,
): Unwatch {
  const path = `${workdir}/events.log`;
  // the helper reads what was appended (`job tail`): only the new bytes cross the socket
  const read: TailReader = (offset, window) =>
    runHelper({
      // `--offset=-1`, not `--offset -1`: a separate value starting with a dash is refused as ambiguous
      args: ["job", "tail", "--file", path, `--offset=${offset}`, `--window=${window}`],
      result: TailChunk,
    }).promise;
  const tail = new EventLogTail(read, onEvents, onMalformed);
  // The bridge's inotify watch (fswatch1) only says "changed"; the tail reads what was appended.
  const channel = cockpit().channel({ payload: "fswatch1", path, superuser: "require" });
  channel.addEventListener("message", () => void tail.poke().catch(() => undefined));
  void tail.poke().catch(() => undefined);
  return () => {
    tail.close();
    channel.close();
  };
}

export function watchOperation(workdir: string, onChange: (record: OperationRecord | null) => void): Unwatch {
  const file = cockpit().file(`${workdir}/operation.json`, { superuser: "require" });
  const handle = file.watch(
    (content) => {
      if (content === null) return onChange(null);
      try {
        const parsed = OperationRecord.safeParse(JSON.parse(content));
        onChange(parsed.success ? parsed.data : null);
      } catch {
        onChange(null); // being replaced; the next change brings the complete file
      }
    },
    { read: true },
  );
  return () => {
    handle.remove();
    file.close();
  };
}
