// Long operations (sync, cutover, run) outlive the browser tab: the helper's job service runs them
// detached (`ablestack_v2k job start`): a transient systemd unit when systemd is PID 1, else a detached
// session. It records {command, pid, startedAt} in <workdir>/operation.json and, when the command
// ends, its exitCode (and `cancelled` after a cancel); the page re-attaches by watching that file and
// events.log. Secrets reach the job on stdin, never argv.
import { JobStarted, JobStatusResult } from "../../shared/results";
import { commandWords, runHelper } from "./helper";

export interface StartOperationRequest {
  workdir: string;
  runId: string;
  /** The helper command and its options, e.g. ["sync", "incr"]. */
  args: string[];
  stdin?: string;
}

/** Resolves once the job runs (the helper waited for its start record). */
export async function startOperation(req: StartOperationRequest): Promise<{ unit: string }> {
  const name = `${req.runId}-${commandWords(req.args).join("-")}`;
  const started = await runHelper({
    args: ["job", "start", "--workdir", req.workdir, "--name", name, "--", ...req.args],
    ...(req.stdin !== undefined ? { stdin: req.stdin } : {}),
    result: JobStarted,
  }).promise;
  return { unit: started.unit ?? `pid ${started.pid}` };
}

/**
 * Stops the running operation of a workdir: SIGTERM (the helper stops cleanly and leaves the workdir
 * resumable), then SIGKILL if it is still there after the grace period (a killed helper is resumable
 * too: the next run takes over its stale lock and settles its snapshot). Recorded as cancelled.
 */
export async function cancelOperation(workdir: string, graceSec = 10): Promise<JobStatusResult> {
  return runHelper({ args: ["job", "cancel", "--workdir", workdir, "--grace", String(graceSec)], result: JobStatusResult }).promise;
}
