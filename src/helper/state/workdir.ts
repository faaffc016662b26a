// A workdir is one migration run of one VM: manifest.json (the state), events.log (the history)
// and the target-side helper files. Opening one takes its lock, binds the emitter to events.log and
// continues the event sequence. All manifest changes go through Workdir.update().
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync, statSync, chmodSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { type Manifest } from "../../shared/manifest";
import { type ErrorInfo } from "../../shared/errors";
import { V2kError, toErrorInfo } from "../../shared/v2k-error";
import { type Emitter } from "../../kit/emitter";
import { acquireLock, LOCK_FILE, type WorkdirLock } from "./lock";
import { EventsLogSink, eventsLogPath, lastEventSeq } from "./events-log";
import { hasManifest, readManifest, writeManifest, writeManifestAsync } from "./manifest-store";

/** Root of default workdirs; V2K_STATE_DIR overrides it (tests, packaging). */
export function defaultWorkdirRoot(): string {
  return process.env.V2K_STATE_DIR ?? "/var/lib/ablestack-v2k";
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export function defaultWorkdirPath(vmName: string, runId: string): string {
  const safe = vmName.replace(/[^A-Za-z0-9._-]/g, "_");
  // a VM named "." or ".." must not place its workdir beside or above the state root
  return join(defaultWorkdirRoot(), /^\.*$/.test(safe) ? `_${safe}` : safe, runId);
}

/**
 * A workdir holds the run's state and lock, and names the files root's processes read and write: it
 * must belong to the user running the helper (root) and be writable by nobody else.
 */
export function assertPrivateWorkdir(dir: string): void {
  const st = statSync(dir);
  const uid = process.geteuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new V2kError(
      "WORKDIR_INVALID",
      `workdir ${dir} is owned by uid ${st.uid}, not by ${uid === 0 ? "root" : `uid ${uid}`}`,
      `Another user could change the migration's state. Check who created ${dir}; if it is really this migration's, chown it to root.`,
    );
  }
  if ((st.mode & 0o022) !== 0) {
    throw new V2kError(
      "WORKDIR_INVALID",
      `workdir ${dir} is writable by group or others (mode ${(st.mode & 0o777).toString(8)})`,
      `Other users could change the migration's state. Check its content, then: chmod 700 ${dir}`,
    );
  }
}

/** Why the nearest existing ancestor of dir cannot be written to, if it cannot. */
function ancestorWriteError(dir: string): unknown {
  let p = dirname(dir);
  while (!existsSync(p) && p !== dirname(p)) p = dirname(p);
  try {
    accessSync(p, constants.W_OK);
    return undefined;
  } catch (e) {
    return e;
  }
}

/** mkdir/write failures of the workdir itself (read-only, full or missing parent) as the workdir's error. */
function workdirWriteError(dir: string, e: unknown): unknown {
  if ((e as NodeJS.ErrnoException).code === "ENOENT") e = ancestorWriteError(dir) ?? e; // recursive mkdir says ENOENT for EROFS
  const code = (e as NodeJS.ErrnoException).code;
  if (!code || !["EROFS", "EACCES", "EPERM", "ENOSPC", "EDQUOT", "ENOENT", "ENOTDIR"].includes(code)) return e;
  return new V2kError(
    "WORKDIR_INVALID",
    `cannot create workdir ${dir}: ${(e as Error).message}`,
    code === "ENOSPC" || code === "EDQUOT"
      ? "Free space on that filesystem or choose another --workdir."
      : "Choose a --workdir on a writable local filesystem (default: /var/lib/ablestack-v2k/<vm>/<run id>).",
  );
}

/** The global --workdir, required by every command that acts on a run. */
export function requireWorkdirPath(workdir: string | undefined): string {
  if (!workdir) {
    throw new V2kError(
      "USAGE",
      "this command needs --workdir DIR",
      "Pass the workdir printed by 'ablestack_v2k init' (ablestack_v2k --workdir DIR ...).",
    );
  }
  return resolve(workdir);
}

export class Workdir {
  private current: Manifest;
  private lock: WorkdirLock | null;
  private updates: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    manifest: Manifest,
    lock: WorkdirLock,
    readonly emitter: Emitter,
  ) {
    this.current = manifest;
    this.lock = lock;
  }

  /** A snapshot of the manifest; mutate only through update(). */
  get manifest(): Manifest {
    return this.current;
  }

  /**
   * Apply a change, validate and persist it atomically; returns the new manifest. Updates are
   * serialised: disks sync in parallel, and two interleaved read-modify-writes would lose one.
   */
  update(mutate: (m: Manifest) => void | Promise<void>): Promise<Manifest> {
    const run = async () => {
      if (!this.lock) throw new Error("workdir used after release");
      const next = structuredClone(this.current);
      await mutate(next);
      next.updatedAt = new Date().toISOString();
      await writeManifestAsync(this.path, next);
      this.current = next;
      return next;
    };
    const result = this.updates.then(run, run);
    this.updates = result.catch(() => undefined);
    return result;
  }

  /** Log a warning and keep it in the manifest (the page lists manifest warnings). */
  async warn(step: string, code: string, message: string, disk?: number): Promise<void> {
    this.emitter.log("warn", step, message, disk);
    await this.update((m) => {
      m.warnings.push({ at: new Date().toISOString(), code, message });
    });
  }

  release(): void {
    this.lock?.release();
    this.lock = null;
  }

  static attachEvents(dir: string, emitter: Emitter): void {
    const log = eventsLogPath(dir);
    emitter.continueFrom(lastEventSeq(log));
    emitter.addSink(new EventsLogSink(log));
  }

  /** Open an initialised workdir and lock it. */
  static open(path: string, emitter: Emitter, command: string): Workdir {
    const dir = resolve(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new V2kError(
        "WORKDIR_INVALID",
        `workdir ${dir} does not exist`,
        "Run 'ablestack_v2k init' first, or pass the workdir it printed.",
      );
    }
    assertPrivateWorkdir(dir);
    if (!hasManifest(dir)) {
      const entries = readdirSync(dir);
      if (entries.length === 0) {
        throw new V2kError(
          "WORKDIR_INVALID",
          `workdir ${dir} is empty (no manifest.json)`,
          "Run 'ablestack_v2k init --workdir DIR ...' to start a migration there.",
        );
      }
      throw new V2kError(
        "WORKDIR_FOREIGN",
        `${dir} is not an ablestack-v2k workdir (no manifest.json)`,
        "Point --workdir at a directory created by 'ablestack_v2k init'.",
      );
    }
    // validate before locking so a foreign directory never gets a lock file
    readManifest(dir);
    const lock = acquireLock(dir, command);
    try {
      const { manifest, migratedFrom } = readManifest(dir); // re-read under the lock
      Workdir.attachEvents(dir, emitter);
      const wd = new Workdir(dir, manifest, lock, emitter);
      if (migratedFrom !== null) {
        writeManifest(dir, manifest);
        emitter.log("info", command, `manifest migrated from schemaVersion ${migratedFrom}`);
      }
      return wd;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** Create a new workdir (0700) holding the given manifest, and lock it. */
  static create(path: string, manifest: Manifest, emitter: Emitter, command: string): Workdir {
    const dir = resolve(path);
    const existed = existsSync(dir);
    if (existed) {
      if (!statSync(dir).isDirectory()) {
        throw new V2kError("WORKDIR_INVALID", `${dir} exists and is not a directory`, "Choose another --workdir.");
      }
      assertPrivateWorkdir(dir);
      const entries = readdirSync(dir).filter((e) => e !== LOCK_FILE);
      if (entries.length > 0) {
        if (hasManifest(dir)) {
          throw new V2kError(
            "WORKDIR_EXISTS",
            `${dir} already holds a migration run`,
            "Continue that run with --workdir (commands resume from its manifest), or choose a new directory.",
          );
        }
        throw new V2kError(
          "WORKDIR_FOREIGN",
          `${dir} is not empty and is not an ablestack-v2k workdir`,
          "Choose an empty or new directory for --workdir; nothing there was touched.",
        );
      }
    }
    let lock: WorkdirLock;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      lock = acquireLock(dir, command);
    } catch (e) {
      throw Workdir.undoCreate(dir, existed, e);
    }
    try {
      if (hasManifest(dir)) {
        throw new V2kError("WORKDIR_EXISTS", `${dir} was initialised concurrently`, "Use that workdir with --workdir.");
      }
      writeManifest(dir, manifest);
      Workdir.attachEvents(dir, emitter);
      return new Workdir(dir, manifest, lock, emitter);
    } catch (e) {
      lock.release();
      throw Workdir.undoCreate(dir, existed, e);
    }
  }

  /**
   * A workdir this call created and could not fill (disk full, read-only) is not left behind half-made.
   * Only on a filesystem error: a V2kError (locked, initialised concurrently) means it is someone else's.
   */
  private static undoCreate(dir: string, existed: boolean, e: unknown): unknown {
    const mapped = workdirWriteError(dir, e);
    if (!existed && mapped !== e) rmSync(dir, { recursive: true, force: true });
    return mapped;
  }
}

/**
 * Open + lock a workdir, run fn, record a failure as manifest.lastError, always release the lock.
 * This is the entry point for commands acting on an existing run.
 */
export async function withWorkdir<T>(path: string, emitter: Emitter, command: string, fn: (wd: Workdir) => Promise<T>): Promise<T> {
  const wd = Workdir.open(path, emitter, command);
  try {
    const result = await fn(wd);
    if (wd.manifest.lastError !== null)
      await wd.update((m) => {
        m.lastError = null;
      });
    return result;
  } catch (err) {
    await recordError(wd, err);
    throw err;
  } finally {
    wd.release();
  }
}

async function recordError(wd: Workdir, err: unknown): Promise<void> {
  const info: ErrorInfo = toErrorInfo(err); // redacted
  if (!(err instanceof V2kError)) delete info.detail; // a bug's stack trace belongs in events.log, not the manifest
  try {
    await wd.update((m) => {
      m.lastError = info;
    });
  } catch {
    /* the original error matters more than a failed bookkeeping write (e.g. disk full) */
  }
}
