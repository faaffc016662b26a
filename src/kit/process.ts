// Facts about other processes by pid, read from the kernel.
import { readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";

/** The state letter (field 3) of /proc/<pid>/stat: R, S, D, Z, ...; "" when the process is gone. */
export function processState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may contain spaces and parentheses: read after the last ')'
    return stat.charAt(stat.lastIndexOf(")") + 2);
  } catch {
    return "";
  }
}

/**
 * True while a process with this pid exists and is not a zombie (EPERM: it exists but belongs to
 * someone else). A zombie has exited: orphans here may be reaped late, or never, by a minimal init.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const state = processState(pid);
  return state !== "" && state !== "Z";
}

/**
 * Field 22 (starttime in clock ticks since boot) of /proc/<pid>/stat, or "" if the process is gone.
 * A pid plus its start time names one process for good: a reused pid has another start time.
 */
export function processStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? "";
  } catch {
    return "";
  }
}

/** A process's argv from /proc/<pid>/cmdline; null when it is gone ([] for kernel threads and zombies). */
export function processCmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((s) => s !== "");
  } catch {
    return null;
  }
}

/** The program name of an argv (basename of argv[0]), "" for an empty one. */
export function programOf(argv: readonly string[]): string {
  return argv[0]?.split("/").pop() ?? "";
}

/** Pids (other than ours) whose non-empty argv satisfies the test. */
export function findProcesses(test: (argv: string[], pid: number) => boolean): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const argv = processCmdline(pid);
    if (argv && argv.length > 0 && test(argv, pid)) out.push(pid);
  }
  return out;
}

/** SIGTERM, then SIGKILL to those still alive (zombies count as gone) after graceMs. */
export async function terminateProcesses(pids: readonly number[], graceMs: number): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        if (sig === "SIGTERM" || processAlive(pid)) process.kill(pid, sig);
      } catch {
        /* gone meanwhile */
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some(processAlive)) await new Promise((r) => setTimeout(r, 100));
  signal("SIGKILL");
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
      holders.push({ pid, program: commandName(pid), path: asked });
    }
  }
  return holders;
}

/** The kernel's short command name (/proc/<pid>/comm), "?" when unreadable. */
function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "?";
  }
}
