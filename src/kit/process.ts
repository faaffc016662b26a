// Facts about other processes by pid, read from the kernel.
import { readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Field 22 (starttime in clock ticks since boot) of /proc/<pid>/stat, or "" if the process is gone.
 * A pid plus its start time names one process for good: a reused pid has another start time.
 */
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

export interface FileHolder {
  pid: number;
  program: string;
  path: string;
}

/**
 * Processes that have one of these files or devices open, from /proc/<pid>/fd (the whole host when run
 * as root; only our own processes otherwise). Paths are compared after resolving symlinks.
 */
export function processesHolding(paths: readonly string[]): FileHolder[] {
  const wanted = new Map<string, string>();
  for (const p of paths) {
    try {
      wanted.set(realpathSync(p), p);
    } catch {
      // absent: nobody can hold it
    }
  }
  if (wanted.size === 0) return [];
  const holders: FileHolder[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    const seen = new Set<string>();
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const asked = wanted.get(target);
      if (asked === undefined || seen.has(asked)) continue;
      seen.add(asked);
      holders.push({ pid, program: programOf(pid), path: asked });
    }
  }
  return holders;
}

function programOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}
