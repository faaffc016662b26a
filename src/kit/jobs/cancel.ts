// Cancel: SIGTERM to the job's command (the helper stops cleanly and leaves its workdir resumable),
// SIGKILL if it is still there after the grace period (a killed helper is resumable too). The end
// is recorded as cancelled, not as a failure: by the supervisor, or here when the supervisor is gone.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CANCEL_MARK, jobStatus, readJobRecord, sameProcess, writeJobRecord, type JobStatus } from "./record";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone already */
  }
}

export async function cancelJob(dir: string, graceMs = 10_000): Promise<JobStatus> {
  const status = jobStatus(dir);
  if (status.state !== "running") return status;
  const rec = status.record!;
  const gone = () => !sameProcess(rec.pid, rec.procStart);
  writeFileSync(join(dir, CANCEL_MARK), `${rec.id ?? rec.pid}\n`, { mode: 0o600 });
  signal(rec.pid, "SIGTERM");
  let killed = false;
  if (!(await waitUntil(gone, graceMs))) {
    killed = true;
    if (sameProcess(rec.pid, rec.procStart)) signal(rec.pid, "SIGKILL");
    await waitUntil(gone, 5_000);
  }
  const supervised = rec.supervisorPid !== undefined;
  const supervisorAlive = () => sameProcess(rec.supervisorPid, rec.supervisorStart);
  if (supervised) await waitUntil(() => readJobRecord(dir)?.exitCode !== undefined || !supervisorAlive(), 5_000);
  const after = readJobRecord(dir);
  if (after && after.id === rec.id && after.exitCode === undefined && (!supervised || !supervisorAlive())) {
    // nobody else will record this end (no supervisor, or it died with the command)
    writeJobRecord(dir, { ...after, finishedAt: new Date().toISOString(), exitCode: killed ? 137 : 143, cancelled: true });
    rmSync(join(dir, CANCEL_MARK), { force: true });
  }
  return jobStatus(dir);
}
