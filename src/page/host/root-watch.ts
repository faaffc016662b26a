// Follows the workdir root while the migrations list is open: a new workdir appearing (init) and a
// manifest or job changing (phases, running state) call onChange, like the migration page follows its
// manifest. The bridge's fswatch1 is not recursive, so the root, its VM folders and each workdir get a
// watch; a directory created under a watched one is watched at once, before any manifest lands in it.
import { cockpit } from "./cockpit";
import { type CockpitChannel } from "./cockpit-types";

/** The files whose change alters what the list shows (events.log and progress do not). */
const LISTED_FILES = new Set(["manifest.json", "operation.json"]);
/** Workdirs live at <root>/<vm>/<run-id>/ or <root>/<name>/: watched down to depth 2. */
const MAX_DEPTH = 2;

interface FsWatchMessage {
  event?: string;
  path?: string;
  other?: string;
  type?: string;
}

const basename = (p: string) => p.slice(p.lastIndexOf("/") + 1);
const parent = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";

export class RootWatch {
  private readonly channels = new Map<string, CockpitChannel>();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly onChange: () => void,
  ) {
    this.watch(root);
  }

  /** After each list: watch every known workdir and its VM folder (workdirs made by others included). */
  follow(workdirs: string[]): void {
    for (const w of workdirs) {
      if (!w.startsWith(this.root + "/")) continue;
      if (this.depth(w) === 2) this.watch(parent(w));
      this.watch(w);
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
  }

  /** Folders watched now (for tests and diagnostics). */
  watched(): string[] {
    return [...this.channels.keys()].sort();
  }

  private depth(path: string): number {
    return path === this.root ? 0 : path.slice(this.root.length + 1).split("/").length;
  }

  private watch(dir: string): void {
    if (this.closed || this.channels.has(dir) || this.depth(dir) > MAX_DEPTH) return;
    const channel = cockpit().channel({ payload: "fswatch1", path: dir, superuser: "require" });
    channel.addEventListener("message", (_ev, data) => this.message(dir, data));
    this.channels.set(dir, channel);
  }

  private message(dir: string, data: string): void {
    let msg: FsWatchMessage;
    try {
      msg = JSON.parse(data) as FsWatchMessage;
    } catch {
      return;
    }
    const paths = [msg.path, msg.other].filter((p): p is string => typeof p === "string");
    // a manifest is written to a temporary name and renamed: the rename's "other" is manifest.json
    const listedFile = paths.some((p) => LISTED_FILES.has(basename(p)));
    const child = typeof msg.path === "string" && msg.path !== dir ? msg.path : null;
    // a deleted path has no type any more: a watched folder going away is known by its path
    const newDir = child !== null && msg.event === "created" && msg.type === "directory";
    const goneDir = child !== null && msg.event === "deleted" && this.channels.has(child);
    if (newDir) this.watch(child);
    if (goneDir) this.unwatch(child);
    if (listedFile || newDir || goneDir) this.onChange();
  }

  private unwatch(dir: string): void {
    for (const [path, channel] of this.channels) {
      if (path === dir || path.startsWith(dir + "/")) {
        channel.close();
        this.channels.delete(path);
      }
    }
  }
}
