// A stand-in for the browser's `cockpit` object that records what the page asks of it and lets a
// test play the bridge's side (stdout chunks, exit, file contents). It tests our wrapper, not Cockpit.
import type { Cockpit, CockpitProcessError, CockpitSpawnOptions, CockpitSpawnPromise } from "../../../src/page/host/cockpit-types";

export interface FakeProcess {
  argv: string[];
  options: CockpitSpawnOptions | undefined;
  input: string;
  inputDone: boolean;
  closedWith: string | undefined;
  emit(chunk: string): void;
  exit(error?: Partial<CockpitProcessError>): void;
}

export interface FakeFile {
  path: string;
  push(content: string | null): void;
  removed: boolean;
}

export class FakeCockpit {
  readonly processes: FakeProcess[] = [];
  readonly files: FakeFile[] = [];
  readonly location = {
    path: [] as string[],
    options: {} as Record<string, string | string[]>,
    go: (p: string | string[], o?: Record<string, string>) => this.navigate(p, o),
  };
  private listeners = new Map<string, Set<() => void>>();
  /** Control messages the page sent to the shell ("notify" page status). */
  readonly controls: { command: string; options: Record<string, unknown> }[] = [];

  emitEvent(event: "visibilitychange" | "locationchanged"): void {
    this.dispatch(event);
  }

  private dispatch(event: string): void {
    for (const l of this.listeners.get(event) ?? []) l();
  }
  translations: Record<string, string> = {};
  adminAllowed = true;
  /** Files the bridge's tail script reads (events.log), by path. */
  readonly fs = new Map<string, string>();
  private readonly watchers: { path: string; fire: (data: string) => void; closed: boolean }[] = [];

  /** inotify says the file at path changed (data: the bridge's fswatch1 message). */
  change(path: string, data = "{}"): void {
    for (const w of this.watchers) if (w.path === path && !w.closed) w.fire(data);
  }

  /** Paths with an open fswatch1 channel. */
  watchedPaths(): string[] {
    return this.watchers
      .filter((w) => !w.closed)
      .map((w) => w.path)
      .sort();
  }

  /** Plays `ablestack_v2k job tail` over this.fs (byte offsets): its --json result line. */
  private tail(argv: string[]): string {
    // like node's parseArgs: a value starting with a dash only in the --name=value form
    const opt = (name: string) => {
      const eq = argv.find((a) => a.startsWith(`${name}=`));
      const next = argv[argv.indexOf(name) + 1];
      if (eq) return eq.slice(name.length + 1);
      if (next === undefined || next.startsWith("-")) throw new Error(`${name}: ambiguous or missing value`);
      return next;
    };
    const content = this.fs.get(opt("--file"));
    const data = (() => {
      if (content === undefined) return { size: -1, start: -1, text: "" };
      const bytes = Buffer.from(content, "utf8");
      const offset = Number(opt("--offset"));
      const start = offset < 0 ? Math.max(0, bytes.length - Number(opt("--window"))) : offset;
      if (start > bytes.length) return { size: bytes.length, start: -1, text: "" };
      return { size: bytes.length, start, text: bytes.subarray(start).toString("utf8") };
    })();
    return (
      JSON.stringify({ type: "result", ts: new Date(0).toISOString(), seq: 0, step: "job tail", command: "job tail", ok: true, data }) +
      "\n"
    );
  }

  /** Paths the page asked the shell to jump to. */
  readonly jumps: string[] = [];

  private navigate(p: string | string[], o?: Record<string, string>) {
    this.location.path = Array.isArray(p) ? p : p.split("/").filter(Boolean);
    this.location.options = o ?? {};
    this.dispatch("locationchanged");
  }

  asCockpit(): Cockpit {
    const self = this; // eslint-disable-line @typescript-eslint/no-this-alias -- the returned object literal has its own `this`
    return {
      spawn(argv: string[], options?: CockpitSpawnOptions): CockpitSpawnPromise {
        let streamCb: ((d: string) => void) | undefined;
        let buffered = ""; // like cockpit.js: without a stream callback the promise resolves with all output
        let settle: { resolve: (v: string) => void; reject: (e: CockpitProcessError) => void } | undefined;
        const p = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
        const fp: FakeProcess = {
          argv,
          options,
          input: "",
          inputDone: false,
          closedWith: undefined,
          emit: (chunk) => (streamCb ? streamCb(chunk) : void (buffered += chunk)),
          exit: (error) => {
            if (error) settle!.reject({ problem: null, exit_status: null, exit_signal: null, message: "", ...error });
            else settle!.resolve(buffered);
          },
        };
        self.processes.push(fp);
        if (isTail(argv)) {
          setTimeout(() => {
            fp.emit(self.tail(argv));
            fp.exit();
          }, 0);
        }
        const promise: CockpitSpawnPromise = {
          then: (a, b) => p.then(a, b),
          catch: (b) => p.catch(b),
          stream(cb) {
            streamCb = cb;
            return promise;
          },
          input(data, stream) {
            fp.input += data ?? "";
            if (!stream) fp.inputDone = true;
            return promise;
          },
          close(problem) {
            fp.closedWith = problem;
            settle!.reject({ problem: problem ?? "terminated", exit_status: null, exit_signal: null, message: "" });
            return promise;
          },
        };
        return promise;
      },
      file(path: string) {
        let cb: ((c: string | null, t: string | null) => void) | undefined;
        const ff: FakeFile = { path, removed: false, push: (c) => cb?.(c, "tag") };
        self.files.push(ff);
        return {
          watch(callback) {
            cb = callback;
            return {
              remove: () => {
                ff.removed = true;
              },
            };
          },
          read: () => Promise.resolve(null),
          close() {},
        };
      },
      dbus() {
        throw new Error("not used in these tests");
      },
      channel: (options: Record<string, unknown>) => {
        const watcher = { path: String(options.path ?? ""), fire: (_data: string) => {}, closed: false };
        if (options.payload === "fswatch1") self.watchers.push(watcher);
        return {
          wait: () => (self.adminAllowed ? Promise.resolve() : Promise.reject(new Error("access-denied"))),
          close() {
            watcher.closed = true;
          },
          addEventListener(_e: "message", l: (ev: unknown, data: string) => void) {
            watcher.fire = (data) => l(null, data);
          },
        };
      },
      gettext: ((a: string, b?: string) => self.translations[b ?? a] ?? b ?? a) as Cockpit["gettext"],
      format: (t: string) => t,
      language: "en",
      hidden: false,
      location: this.location,
      jump: (path: string) => self.jumps.push(path),
      transport: {
        wait: (cb: () => void) => cb(),
        control: (command: string, options: Record<string, unknown>) => self.controls.push({ command, options }),
      },
      addEventListener: (e: string, l: () => void) => {
        if (!self.listeners.has(e)) self.listeners.set(e, new Set());
        self.listeners.get(e)!.add(l);
      },
      removeEventListener: (e: string, l: () => void) => {
        self.listeners.get(e)?.delete(l);
      },
    };
  }

  file(pathSuffix: string): FakeFile {
    const f = [...this.files].reverse().find((x) => x.path.endsWith(pathSuffix));
    if (!f) throw new Error(`no watch on *${pathSuffix}`);
    return f;
  }

  /** The last spawn that is not the bridge tailing a log. */
  last(): FakeProcess {
    const p = this.processes.filter((x) => !isTail(x.argv)).at(-1);
    if (!p) throw new Error("nothing spawned");
    return p;
  }
}

/** The page reading events.log through the helper. */
export function isTail(argv: string[]): boolean {
  return argv.includes("job") && argv[argv.indexOf("job") + 1] === "tail";
}

export const tick = () => new Promise((r) => setTimeout(r, 0));
export const settle = async (n = 5) => {
  for (let i = 0; i < n; i++) await tick();
};

let seq = 0;
export function eventLine(body: Record<string, unknown>): string {
  return JSON.stringify({ ts: new Date(0).toISOString(), seq: seq++, step: "test", ...body }) + "\n";
}
