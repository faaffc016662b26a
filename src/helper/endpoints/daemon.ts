// Long-running NBD servers (nbdkit, qemu-nbd) under our control: started with argv arrays in a
// private 0700 directory, considered ready when their pid file appears (both write it only after
// the socket listens), stderr kept for error details, and always stopped by stop() (SIGTERM, then
// SIGKILL) which callers run in `finally`.
import { execa, type ResultPromise } from "execa";
import { mkdirSync, mkdtempSync, rmSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ErrorCode } from "../../shared/errors";
import { V2kError } from "../../shared/v2k-error";
import { processAlive, processCmdline, processStartTime } from "../../kit/process";
import { childEnvironment } from "../../kit/child-env";

const liveDirs = new Set<string>();
let exitHookInstalled = false;
/** In each private dir: the helper that made it (pid and start time), so a sweep knows its servers' owner is gone. */
const OWNER_FILE = "helper.owner";

/** A private 0700 directory for sockets, pid files and secret files; removed by remove(). */
export class PrivateDir {
  readonly path: string;
  constructor(prefix = "v2k-nbd-") {
    // mkdtemp creates the directory with mode 0700.
    this.path = mkdtempSync(join(tmpdir(), prefix));
    writeFileSync(join(this.path, OWNER_FILE), `${process.pid} ${processStartTime(process.pid)}\n`, { mode: 0o600 });
    liveDirs.add(this.path);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // Secrets and sockets must not outlive the helper even when a caller forgot its finally.
      process.once("exit", () => {
        for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
      });
    }
  }
  file(name: string): string {
    return join(this.path, name);
  }
  /** An empty 0700 subdirectory (created once). */
  subdir(name: string): string {
    const p = this.file(name);
    mkdirSync(p, { recursive: true, mode: 0o700 });
    return p;
  }
  /** Write a secret to a 0600 file (never argv); the file goes away with remove(). */
  secretFile(name: string, content: string): string {
    const p = this.file(name);
    writeFileSync(p, content, { mode: 0o600 });
    return p;
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
    liveDirs.delete(this.path);
  }
}

/**
 * Remove private directories left behind by helpers that were killed (kill -9 skips every
 * finally): those whose servers' pid files name dead processes, or without a written pid file after
 * an hour. A live server's directory is touched only when the helper that made it is gone: its servers
 * are stopped first. Returns the removed paths.
 */
export function sweepStalePrivateDirs(prefix = "v2k-nbd-", now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(prefix));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(tmpdir(), name);
    if (liveDirs.has(dir)) continue;
    try {
      const st = statSync(dir);
      if (!st.isDirectory() || st.uid !== process.getuid?.()) continue;
      // nbdkit and qemu-nbd create the pid file empty and write the pid a moment later: an empty one is a
      // server starting (sweeping it would take its socket and pid file, and its helper would wait forever)
      const pids = readdirSync(dir)
        .filter((f) => f.endsWith(".pid"))
        .map((f) => readFileSync(join(dir, f), "utf8").trim());
      const written = pids.length > 0 && pids.every((p) => p !== "");
      const live = written ? pids.map(Number).filter((p) => Number.isInteger(p) && p > 0 && processAlive(p)) : [];
      const stale = written ? live.length === 0 : now - st.mtimeMs > 3600_000;
      if (!stale && written && ownerGone(dir)) {
        // nbdkit sets --exit-with-parent only once it runs: a helper killed in the first milliseconds leaves
        // its server alive for good. Stop those that are still serving from this dir (not a reused pid).
        for (const pid of live) if (servesFrom(pid, dir)) process.kill(pid, "SIGTERM");
        rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      } else if (stale) {
        rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      }
    } catch {
      // raced with its owner: leave it
    }
  }
  return removed;
}

/** Whether the helper that made the dir has exited (false when unknown: a dir of an older helper). */
function ownerGone(dir: string): boolean {
  let owner: string;
  try {
    owner = readFileSync(join(dir, OWNER_FILE), "utf8").trim();
  } catch {
    return false;
  }
  const [pid, started] = owner.split(" ");
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  return !processAlive(n) || processStartTime(n) !== started;
}

/** Whether the process's command line names a path in the dir (its socket or pid file): ours, not a reused pid. */
function servesFrom(pid: number, dir: string): boolean {
  return (processCmdline(pid) ?? []).some((arg) => arg.includes(`${dir}/`));
}

export interface DaemonStart {
  /** Short name for messages ("nbdkit", "qemu-nbd"). */
  name: string;
  file: string;
  args: string[];
  /** The server writes this after its socket listens. */
  pidFile: string;
  readyTimeoutMs?: number;
}

const STDERR_KEEP = 64 * 1024;

export class ManagedDaemon {
  private stderrText = "";
  private exitInfo: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly proc: ResultPromise,
    readonly name: string,
    readonly argv: string[],
  ) {
    proc.stderr?.on("data", (b: Buffer) => {
      this.stderrText = (this.stderrText + b.toString("utf8")).slice(-STDERR_KEEP);
    });
    this.exited = proc.then(
      (r) => void (this.exitInfo = `exit ${r.exitCode ?? r.signal}`),
      (e: { exitCode?: number; signal?: string; code?: string }) =>
        void (this.exitInfo = e.code === "ENOENT" ? "ENOENT" : `exit ${e.exitCode ?? e.signal ?? "?"}`),
    );
  }

  static async start(spec: DaemonStart): Promise<ManagedDaemon> {
    const proc = execa(spec.file, spec.args, {
      reject: true,
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
      cleanup: true,
      buffer: false,
      env: childEnvironment(), // no GOVC_PASSWORD in /proc/PID/environ
      extendEnv: false,
    });
    const d = new ManagedDaemon(proc, spec.name, [spec.file, ...spec.args]);
    const started = Date.now();
    const deadline = started + (spec.readyTimeoutMs ?? 20_000);
    try {
      for (;;) {
        if (d.exitInfo !== undefined) {
          if (d.exitInfo === "ENOENT")
            throw new V2kError("TOOL_MISSING", `${spec.file} is not installed`, "Run 'make deps' (pkg/install-deps.sh) on this host.");
          throw d.failure(`${spec.name} exited during start-up (${d.exitInfo})`);
        }
        if (existsSync(spec.pidFile) && readFileSync(spec.pidFile, "utf8").trim() !== "") return d;
        if (Date.now() > deadline)
          throw d.failure(`${spec.name} did not become ready within ${spec.readyTimeoutMs ?? 20_000} ms`, "TIMEOUT");
        // both servers are up within tens of milliseconds: look often at first, then every 20 ms
        await new Promise((r) => setTimeout(r, Date.now() - started < 500 ? 4 : 20));
      }
    } catch (e) {
      await d.stop();
      throw e;
    }
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The server's stderr so far (last 64 KiB), for error details. */
  get stderr(): string {
    return this.stderrText;
  }

  /** A V2kError with the argv and stderr as detail (argv never carries secrets: they are +FILE). */
  failure(message: string, code: ErrorCode = "PROCESS_FAILED", hint = `See the detail for the ${this.name} output.`): V2kError {
    const first =
      this.stderrText
        .split("\n")
        .find((l) => /error/i.test(l))
        ?.trim() ??
      this.stderrText
        .split("\n")
        .find((l) => l.trim() !== "")
        ?.trim();
    return new V2kError(code, first ? `${message}: ${first}` : message, hint, {
      detail: `${this.argv.join(" ")}\n${this.stderrText}`,
    });
  }

  async stop(graceMs = 5000): Promise<void> {
    if (this.exitInfo !== undefined) return;
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
