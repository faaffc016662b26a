// The target directory: it must exist and hold the provisioned size of every disk.
import { accessSync, constants, existsSync, statfsSync, statSync } from "node:fs";
import { V2kError } from "../../shared/v2k-error";

export function dstFreeBytes(dir: string): number {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new V2kError(
      "DST_MISSING",
      `target directory ${dir} does not exist`,
      "Create it (or mount the target storage there) and re-run.",
    );
  }
  if (!st.isDirectory()) throw new V2kError("DST_MISSING", `${dir} is not a directory`, "Pass a directory with --dst.");
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    // a read-only mount would otherwise pass init and fail at the first copy
    throw new V2kError(
      "TARGET_IO",
      `target directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      "Mount the target storage read-write (or fix its permissions), or choose another --dst.",
    );
  }
  const fs = statfsSync(dir);
  return Number(fs.bavail) * Number(fs.bsize);
}

/** Throws DST_MISSING / TARGET_IO (not writable) / DST_TOO_SMALL. `already` counts bytes of target files that exist already. */
export function checkDstSpace(dir: string, neededBytes: number, already = 0): { free: number; needed: number } {
  const free = dstFreeBytes(dir);
  const needed = Math.max(0, neededBytes - already);
  if (free < needed) {
    throw new V2kError(
      "DST_TOO_SMALL",
      `${dir} has ${gib(free)} free, the VM's disks need ${gib(needed)}`,
      "Free space there or choose a larger --dst (thin disks are provisioned at full size to be safe).",
    );
  }
  return { free, needed };
}

/**
 * A new migration never writes into target files it finds: another run of the same VM (or an earlier
 * one, perhaps cut over and started on KVM since) owns them. --force takes them over.
 */
export function refuseExistingTargets(paths: string[], force: boolean): string[] {
  const existing = paths.filter((p) => existsSync(p));
  if (existing.length > 0 && !force) {
    throw new V2kError(
      "TARGET_EXISTS",
      `target file${existing.length > 1 ? "s" : ""} ${existing.join(", ")} already exist${existing.length > 1 ? "" : "s"}`,
      "Another or an earlier migration of this VM wrote it: continue that one with its --workdir, or choose another --dst. " +
        "--force writes over it.",
    );
  }
  return existing;
}

export function gib(n: number): string {
  return `${(n / 2 ** 30).toFixed(2)} GiB`;
}
