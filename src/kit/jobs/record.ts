// <dir>/operation.json: what a detached job is (command, pid and its start time, unit) and, once it
// ended, its exit code. Written atomically (readers see the old or the new record, never a torn one);
// a job's state is decided from it and from /proc, never from a pid alone (pids are reused).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OperationRecord } from "../../shared/results";
import { writeFileAtomic } from "../atomic-file";

export const OPERATION_FILE = "operation.json";
/** Present while a cancel is under way: the supervisor then records the end as cancelled. */
export const CANCEL_MARK = "operation.cancel";

export type JobState = "none" | "running" | "exited" | "lost";

export interface JobStatus {
  state: JobState;
  record: OperationRecord | null;
}

export function readJobRecord(dir: string): OperationRecord | null {
  try {
    const parsed = OperationRecord.safeParse(JSON.parse(readFileSync(join(dir, OPERATION_FILE), "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // missing, or not ours
  }
}

export function writeJobRecord(dir: string, record: OperationRecord): void {
  writeFileAtomic(join(dir, OPERATION_FILE), JSON.stringify(record) + "\n", 0o600);
}

/** Field 22 (starttime) of /proc/<pid>/stat; "" when the process is gone or a zombie (kit/process counts a zombie as alive). */
export function liveStartTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces and parentheses: split after the last ')'
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" || fields[0] === "X" ? "" : (fields[19] ?? "");
  } catch {
    return "";
  }
}

/** The process `pid` still runs and is the one that started at `procStart` (when known). */
export function sameProcess(pid: number | undefined, procStart: string | undefined): boolean {
  if (pid === undefined) return false;
  const now = liveStartTime(pid);
  if (now === "") return false;
  return procStart === undefined || procStart === "" || now === procStart;
}

/** running: the command lives; exited: its end is recorded; lost: gone without a recorded end. */
export function jobStatus(dir: string): JobStatus {
  const record = readJobRecord(dir);
  if (!record) return { state: "none", record };
  if (record.exitCode !== undefined) return { state: "exited", record };
  return { state: sameProcess(record.pid, record.procStart) ? "running" : "lost", record };
}
