// W/.lock: one helper per workdir. The file is created complete (written to a temp name, then
// hard-linked into place, which fails if a lock exists) and holds pid + host + the process start
// time, so a lock left by a killed helper is recognised as stale even if the pid was reused.
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { V2kError } from "../../shared/v2k-error";

export const LOCK_FILE = ".lock";

const LockInfo = z.object({
  pid: z.number().int(),
  host: z.string(),
  procStart: z.string(), // /proc/<pid>/stat field 22, "" when unknown
  startedAt: z.string(),
  command: z.string(),
});
export type LockInfo = z.infer<typeof LockInfo>;

export interface WorkdirLock {
  path: string;
  info: LockInfo;
  release(): void;
}

/** Field 22 (starttime in clock ticks since boot) of /proc/<pid>/stat, or "" if the process is gone. */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may contain spaces and parentheses: split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? "";
  } catch {
    return "";
  }
}

function isAlive(info: LockInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = processStartTime(info.pid);
  return start === "" || info.procStart === "" || start === info.procStart;
}

function readRaw(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function parseLock(raw: string | null): LockInfo | null {
  if (raw === null) return null;
  try {
    const parsed = LockInfo.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function readLock(path: string): LockInfo | null {
  return parseLock(readRaw(path));
}

/**
 * Removes the stale lock we judged, and only that one: two helpers may judge the same stale lock at
 * once, and a plain unlink by the slower one would delete the lock the faster one has just taken.
 * The file is moved aside first (one rename wins) and compared with what was judged; a fresh lock
 * moved by mistake is put back and we yield to its owner.
 */
function takeOverStale(path: string, judged: string | null): void {
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
      /* a third helper got in: it holds the lock now */
    }
    unlinkSync(aside);
    const holder = parseLock(moved);
    throw new V2kError("WORKDIR_LOCKED", `workdir was just locked by pid ${holder?.pid ?? "?"} (${holder?.command ?? "another helper"})`,
      "Wait for that command to finish, or stop it (it leaves the workdir resumable).");
  }
  unlinkSync(aside);
}

export function acquireLock(dir: string, command: string): WorkdirLock {
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    procStart: processStartTime(process.pid),
    startedAt: new Date().toISOString(),
    command,
  };
  const tmp = join(dir, `.lock.tmp-${process.pid}`);
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, JSON.stringify(info) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 2) throw e;
      }
      const seen = readRaw(path);
      const holder = parseLock(seen);
      if (holder && holder.host !== info.host) {
        throw new V2kError("WORKDIR_LOCKED", `workdir is locked by pid ${holder.pid} on host ${holder.host} (${holder.command}, since ${holder.startedAt})`,
          `Another host works on this workdir. If that helper is really gone, delete ${path}.`);
      }
      if (holder && isAlive(holder)) {
        throw new V2kError("WORKDIR_LOCKED", `workdir is locked by running pid ${holder.pid} (${holder.command}, since ${holder.startedAt})`,
          "Wait for that command to finish, or stop it (it leaves the workdir resumable).");
      }
      // stale (holder gone) or unreadable (a foreign or damaged file): take over
      takeOverStale(path, seen);
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
      const holder = readLock(path);
      if (holder && holder.pid === info.pid && holder.startedAt === info.startedAt) unlinkSync(path);
    },
  };
}
