// linux01's disk image: built once per machine by build-linux01.sh (Debian packages, no loop devices)
// and cached outside the repository under a name keyed by the script's hash, so a changed recipe
// builds a new image and an unchanged one is never rebuilt. The lab only uses a built image.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { V2kError } from "../../shared/v2k-error";
import { exec } from "../../kit/exec";

export const LAB_IMAGES_DIR = "/var/lib/ablestack-v2k/lab-images";
/** linux01's disk size; its root partition ends at LINUX01_SCRATCH_OFFSET. */
export const LINUX01_DISK_BYTES = 4 * 1024 ** 3;
/**
 * From here to the end of the disk nothing is partitioned: the guest never reads it, so guest writes
 * (`lab write`) in this area change the disk without breaking its boot.
 */
export const LINUX01_SCRATCH_OFFSET = 3 * 1024 ** 3;

/** dist/helper/lab (bundle) or this module's directory (tsx). */
export function linux01ScriptPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [join(here, "build-linux01.sh"), join(here, "lab", "build-linux01.sh")]) if (existsSync(p)) return p;
  throw new V2kError("INTERNAL", "build-linux01.sh is missing beside the helper", "Rebuild or reinstall ablestack-v2k.");
}

export function labImagesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ABLESTACK_V2K_LAB_IMAGES || LAB_IMAGES_DIR;
}

export function linux01ImagePath(): string {
  const hash = createHash("sha256").update(readFileSync(linux01ScriptPath())).digest("hex").slice(0, 12);
  return join(labImagesDir(), `linux01-${hash}.raw`);
}

export function linux01ImageReady(): boolean {
  return existsSync(linux01ImagePath());
}

export interface ImageBuildResult {
  path: string;
  built: boolean;
  seconds: number;
  log: string;
}

/** Builds the image unless the cached one is current (minutes: mmdebstrap, then libguestfs under TCG here). */
export async function buildLinux01Image(o: { force?: boolean; signal?: AbortSignal } = {}): Promise<ImageBuildResult> {
  const path = linux01ImagePath();
  const log = `${path}.build.log`;
  if (existsSync(path) && !o.force) return { path, built: false, seconds: 0, log };
  mkdirSync(dirname(path), { recursive: true });
  rmSync(log, { force: true });
  const t0 = Date.now();
  try {
    await exec("bash", [linux01ScriptPath(), path], { timeoutMs: 3600_000, logFile: log, ...(o.signal ? { signal: o.signal } : {}) });
  } catch (e) {
    const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "";
    throw new V2kError(
      "PROCESS_FAILED",
      `building linux01's image failed: ${e instanceof Error ? e.message : String(e)}`,
      `See ${log}; mmdebstrap needs the Debian archive through apt's sources.`,
      { detail: tail },
    );
  }
  return { path, built: true, seconds: (Date.now() - t0) / 1000, log };
}
