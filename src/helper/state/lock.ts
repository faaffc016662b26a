// W/.lock: one helper per workdir, a pid lock (see kit/pid-lock) with the workdir's error messages.
import { join } from "node:path";
import { acquirePidLock, type LockHolder, type PidLock } from "../../kit/pid-lock";
import { V2kError } from "../../shared/v2k-error";

export const LOCK_FILE = ".lock";
export type LockInfo = LockHolder;
export type WorkdirLock = PidLock;

export function acquireLock(dir: string, command: string): WorkdirLock {
  const path = join(dir, LOCK_FILE);
  return acquirePidLock(path, command, (holder, reason) => {
    if (reason === "other-host") {
      return new V2kError(
        "WORKDIR_LOCKED",
        `workdir is locked by pid ${holder!.pid} on host ${holder!.host} (${holder!.command}, since ${holder!.startedAt})`,
        `Another host works on this workdir. If that helper is really gone, delete ${path}.`,
      );
    }
    const what =
      reason === "running"
        ? `workdir is locked by running pid ${holder!.pid} (${holder!.command}, since ${holder!.startedAt})`
        : `workdir was just locked by pid ${holder?.pid ?? "?"} (${holder?.command ?? "another helper"})`;
    return new V2kError("WORKDIR_LOCKED", what, "Wait for that command to finish, or stop it (it leaves the workdir resumable).");
  });
}
