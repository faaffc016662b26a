// The helper's side of the job service (src/kit/jobs): which program a job runs and which command
// supervises it. `run --detach` and `job start` launch through here: the transient unit
// ablestack-v2k-<name> when systemd is PID 1, else a detached session logging to a file in the
// workdir; operation.json records it; a password reaches the job on stdin.
import { selfArgv, startJob } from "../../kit/jobs/index";

export const RUN_LOG = "run.log";

/** The helper's own command line for a job: its output is JSON lines in the job's log. */
export function helperJobArgv(workdir: string, args: string[]): string[] {
  return [...selfArgv(), "--json", "--workdir", workdir, ...args];
}

/** The command startJob puts before superviseArgs (`ablestack_v2k job supervise`). */
export function helperSupervisor(): string[] {
  return [...selfArgv(), "job", "supervise"];
}

export interface Launched {
  workdir: string;
  mode: "systemd" | "setsid";
  unit?: string;
  pid: number;
  log: string;
}

/** Starts the helper with `args` (run options) detached on `workdir`; `stdin` carries the password. */
export async function launchDetached(workdir: string, runId: string, args: string[], stdin: string): Promise<Launched> {
  const job = await startJob({
    dir: workdir,
    name: runId,
    label: "run",
    argv: helperJobArgv(workdir, args),
    stdin,
    log: RUN_LOG,
    supervisor: helperSupervisor(),
  });
  return { workdir, mode: job.mode, pid: job.pid, log: job.log, ...(job.unit ? { unit: job.unit } : {}) };
}
