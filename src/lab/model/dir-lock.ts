// One lab process per lab dir: <dir>/lab-model.lock holds the owner's pid. A lock left by a process
// that no longer exists (kill -9, crash) is taken over.
import { open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { processAlive } from "../../helper/util/process";

export const LOCK_FILE = "lab-model.lock";


/** Takes the dir's lock; resolves to its release function. */
export async function lockLabDir(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, "wx", 0o600);
      try {
        await fh.writeFile(`${process.pid}\n`);
      } finally {
        await fh.close();
      }
      return async () => {
        await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) {
        throw new V2kError("LAB_ALREADY_RUNNING", `the lab in ${dir} is in use by process ${owner}`,
          `Stop it first ('ablestack_v2k lab stop --dir ${dir}'), or use another --dir.`);
      }
      await unlink(path).catch(() => undefined); // stale: its owner is gone
    }
  }
  throw new V2kError("LAB_ALREADY_RUNNING", `could not lock ${path}`, "Another process keeps taking the lab dir; retry.");
}
