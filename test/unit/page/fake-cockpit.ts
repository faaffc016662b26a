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
  readonly location = { path: [] as string[], options: {} as Record<string, string | string[]>, go: (p: string | string[], o?: Record<string, string>) => this.navigate(p, o) };
  private listeners = new Set<() => void>();
  translations: Record<string, string> = {};
  adminAllowed = true;

  private navigate(p: string | string[], o?: Record<string, string>) {
    this.location.path = Array.isArray(p) ? p : p.split("/").filter(Boolean);
    this.location.options = o ?? {};
    for (const l of this.listeners) l();
  }

  asCockpit(): Cockpit {
    const self = this;
    return {
      spawn(argv: string[], options?: CockpitSpawnOptions): CockpitSpawnPromise {
        let streamCb: ((d: string) => void) | undefined;
        let settle: { resolve: (v: string) => void; reject: (e: CockpitProcessError) => void } | undefined;
        const p = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
        const fp: FakeProcess = {
          argv, options, input: "", inputDone: false, closedWith: undefined,
          emit: (chunk) => streamCb?.(chunk),
          exit: (error) => {
            if (error) settle!.reject({ problem: null, exit_status: null, exit_signal: null, message: "", ...error });
            else settle!.resolve("");
          },
        };
        self.processes.push(fp);
        const promise: CockpitSpawnPromise = {
          then: (a, b) => p.then(a, b),
          catch: (b) => p.catch(b),
          stream(cb) { streamCb = cb; return promise; },
          input(data, stream) { fp.input += data ?? ""; if (!stream) fp.inputDone = true; return promise; },
          close(problem) { fp.closedWith = problem; settle!.reject({ problem: problem ?? "terminated", exit_status: null, exit_signal: null, message: "" }); return promise; },
        };
        return promise;
      },
      file(path: string) {
        let cb: ((c: string | null, t: string | null) => void) | undefined;
        const ff: FakeFile = { path, removed: false, push: (c) => cb?.(c, "tag") };
        self.files.push(ff);
        return {
          watch(callback) { cb = callback; return { remove: () => { ff.removed = true; } }; },
          read: () => Promise.resolve(null),
          close() {},
        };
      },
      dbus() { throw new Error("not used in these tests"); },
      channel: () => ({ wait: () => (self.adminAllowed ? Promise.resolve() : Promise.reject(new Error("access-denied"))), close() {} }),
      gettext: ((a: string, b?: string) => self.translations[b ?? a] ?? (b ?? a)) as Cockpit["gettext"],
      format: (t: string) => t,
      language: "en",
      location: this.location,
      transport: { wait: (cb: () => void) => cb() },
      addEventListener: (_e: string, l: () => void) => { self.listeners.add(l); },
      removeEventListener: (_e: string, l: () => void) => { self.listeners.delete(l); },
    };
  }

  file(pathSuffix: string): FakeFile {
    const f = [...this.files].reverse().find((x) => x.path.endsWith(pathSuffix));
    if (!f) throw new Error(`no watch on *${pathSuffix}`);
    return f;
  }

  last(): FakeProcess {
    const p = this.processes.at(-1);
    if (!p) throw new Error("nothing spawned");
    return p;
  }
}

export const tick = () => new Promise((r) => setTimeout(r, 0));

let seq = 0;
export function eventLine(body: Record<string, unknown>): string {
  return JSON.stringify({ ts: new Date(0).toISOString(), seq: seq++, step: "test", ...body }) + "\n";
}
