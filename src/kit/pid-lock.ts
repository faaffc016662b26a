// One holder per lock file, across processes. The file is created complete (written to a temp name,
// then hard-linked into place, which fails if a lock exists) and holds pid + host + the process start
// time, so a lock left by a killed process is recognised as stale even if its pid was reused.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { processStartTime } from "./process";

const LockHolder = z.object({
  pid: z.number().int(),
  host: z.string(),
  procStart: z.string(), // /proc/<pid>/stat field 22, "" when unknown
  startedAt: z.string(),
  command: z.string(),
});
export type LockHolder = z.infer<typeof LockHolder>;

export interface PidLock {
  path: string;
  info: LockHolder;
  release(): void;
}

/** Why the lock cannot be taken: its holder runs, runs on another host, or took it while we judged. */
export type HeldReason = "running" | "other-host" | "just-taken";
/** Builds the error thrown when the lock is held (each caller has its own code and hint). */
export type HeldError = (holder: LockHolder | null, reason: HeldReason) => Error;

/** True while the recorded process still runs: same pid and, when both are known, same start time. */
export function holderAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = processStartTime(holder.pid);
  return start === "" || holder.procStart === "" || start === holder.procStart;
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function parseHolder(raw: string | null): LockHolder | null {
  if (raw === null) return null;
  try {
    const parsed = LockHolder.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The holder recorded in a lock file, or null when there is none or it is not a lock of ours. */
export function readLockHolder(path: string): LockHolder | null {
  return parseHolder(readRaw(path));
}

/**
 * Removes the stale lock we judged, and only that one: two processes may judge the same stale lock at
 * once, and a plain unlink by the slower one would delete the lock the faster one has just taken.
 * The file is moved aside first (one rename wins) and compared with what was judged; a fresh lock
 * moved by mistake is put back and we yield to its owner.
 */
function takeOverStale(path: string, judged: string | null, held: HeldError): void {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // someone else removed it: retry the link
    throw e;
  }
  const moved = readRaw(aside);
  if (moved !== judged) {
    try {
      linkSync(aside, path);
    } catch {
      /* a third process got in: it holds the lock now */
    }
    unlinkSync(aside);
    throw held(parseHolder(moved), "just-taken");
  }
  unlinkSync(aside);
}

/**
 * Not fsync'd: readers on this host see the complete file through the page cache, and a host crash
 * kills every holder, so a lock file it tore or lost is taken over like any stale one.
 */
function writeTemp(path: string, info: LockHolder): string {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(info) + "\n");
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/** Takes the lock at `path` for this process, taking over a stale one; throws `held(...)` otherwise. */
export function acquirePidLock(path: string, command: string, held: HeldError): PidLock {
  const info: LockHolder = {
    pid: process.pid,
    host: hostname(),
    procStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    command,
  };
  const tmp = writeTemp(path, info);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 2) throw e;
      }
      const seen = readRaw(path);
      const holder = parseHolder(seen);
      if (holder && holder.host !== info.host) throw held(holder, "other-host");
      if (holder && holderAlive(holder)) throw held(holder, "running");
      // stale (holder gone) or unreadable (a foreign or damaged file): take over
      takeOverStale(path, seen, held);
    }
  } finally {
    unlinkSync(tmp);
  }
  let released = false;
  return {
    path,
    info,
    release() {
      if (released) return;
      released = true;
      const holder = readLockHolder(path);
      if (holder && holder.pid === info.pid && holder.startedAt === info.startedAt) unlinkSync(path);
    },
  };
}
