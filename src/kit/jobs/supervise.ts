// The supervisor of a detached job: the unit's (or the detached session's) main process. It starts
// the command with its own stdin (the secret goes straight to the command), records the command's pid
// and start time in operation.json, waits, and records the exit code; an end asked for by cancel is
// recorded as cancelled. Its own output and the command's go to the job's log.
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { constants } from "node:os";
import { join } from "node:path";
import { type OperationRecord } from "../../shared/results";
import { CANCEL_MARK, liveStartTime, writeJobRecord } from "./record";

export interface SuperviseSpec {
  dir: string;
  id: string;
  label: string;
  unit?: string | undefined;
  argv: string[];
}

/** The options a supervisor command takes, in the order superviseArgs writes them. */
export function superviseArgs(s: SuperviseSpec): string[] {
  return ["--workdir", s.dir, "--id", s.id, "--label", s.label, ...(s.unit ? ["--unit", s.unit] : []), "--", ...s.argv];
}

/** Runs the job's command to its end; resolves with its exit code (128 + signal when killed). */
export async function superviseJob(s: SuperviseSpec): Promise<number> {
  const child = spawn(s.argv[0]!, s.argv.slice(1), { stdio: "inherit" });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  const pid = child.pid!;
  const started: OperationRecord = {
    command: s.label,
    pid,
    procStart: liveStartTime(pid),
    startedAt: new Date().toISOString(),
    id: s.id,
    mode: s.unit ? "systemd" : "setsid",
    argv: s.argv,
    supervisorPid: process.pid,
    supervisorStart: liveStartTime(process.pid),
    ...(s.unit ? { unit: s.unit } : {}),
  };
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    }),
  );
  writeJobRecord(s.dir, started);
  // `systemctl stop` or a kill of this process: pass it on and still record the end
  const forward = (sig: NodeJS.Signals) => void child.kill(sig);
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, forward);
  const exitCode = await exited;
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.off(sig, forward);
  const mark = join(s.dir, CANCEL_MARK);
  const cancelled = existsSync(mark);
  rmSync(mark, { force: true }); // before the record: a waiting canceller takes the exit code as the end of everything
  writeJobRecord(s.dir, { ...started, finishedAt: new Date().toISOString(), exitCode, ...(cancelled ? { cancelled } : {}) });
  return exitCode;
}
