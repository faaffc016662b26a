// One lab process per lab dir: <dir>/lab-model.lock is a pid lock (see kit/pid-lock). A lock left by a
// process that no longer exists (kill -9, crash, or its pid reused since) is taken over.
import { join } from "node:path";
import { acquirePidLock } from "../../kit/pid-lock";
import { V2kError } from "../../shared/v2k-error";

export const LOCK_FILE = "lab-model.lock";

/** Takes the dir's lock; resolves to its release function. */
export async function lockLabDir(dir: string): Promise<() => Promise<void>> {
  const lock = acquirePidLock(
    join(dir, LOCK_FILE),
    "lab",
    (holder, reason) =>
      new V2kError(
        "LAB_ALREADY_RUNNING",
        `the lab in ${dir} is in use by process ${holder?.pid ?? "?"}${reason === "other-host" ? ` on host ${holder!.host}` : ""}`,
        `Stop it first ('ablestack_v2k lab stop --dir ${dir}'), or use another --dir.`,
      ),
  );
  return async () => lock.release();
}
