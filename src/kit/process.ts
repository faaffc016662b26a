// Facts about other processes by pid, read from the kernel.
import { readFileSync } from "node:fs";

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
