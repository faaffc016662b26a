// Reads and writes W/manifest.json. Reading never repairs: a damaged file is reported
// (MANIFEST_CORRUPT) and left untouched for the operator.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { writeFileAtomic, writeFileAtomicAsync } from "../../kit/atomic-file";
import { migrateManifest, type RawManifest } from "./manifest-migrations";

export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_KIND = "ablestack-v2k-run";

export function manifestPath(dir: string): string {
  return join(dir, MANIFEST_FILE);
}

export function hasManifest(dir: string): boolean {
  return existsSync(manifestPath(dir));
}

const corruptHint = (path: string) =>
  `Nothing was overwritten. Inspect ${path} (a copy may be in events.log history), fix or restore it, or start a new workdir with 'init'.`;

/** Parse, check ownership, migrate and validate a manifest file. */
export function readManifest(dir: string): { manifest: Manifest; migratedFrom: number | null } {
  const path = manifestPath(dir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new V2kError(
      "WORKDIR_INVALID",
      `cannot read ${path}: ${(e as Error).message}`,
      "Pass the workdir printed by 'init' with --workdir.",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new V2kError("MANIFEST_CORRUPT", `${path} is not valid JSON (${(e as Error).message})`, corruptHint(path));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new V2kError("MANIFEST_CORRUPT", `${path} does not hold a JSON object`, corruptHint(path));
  }
  const obj = value as Record<string, unknown>;
  if (obj.kind !== MANIFEST_KIND) {
    throw new V2kError(
      "WORKDIR_FOREIGN",
      `${path} is not an ablestack-v2k manifest`,
      "Point --workdir at a directory created by 'ablestack_v2k init'.",
    );
  }
  const { doc, migratedFrom } = migrateManifest(obj as RawManifest);
  const parsed = Manifest.safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".")}: ${i.message}`)
      .join("; ");
    throw new V2kError("MANIFEST_CORRUPT", `${path} does not match the manifest schema: ${issues}`, corruptHint(path));
  }
  return { manifest: parsed.data, migratedFrom };
}

/** Validate and write atomically. The schema check stops a bug from persisting a broken manifest. */
export function writeManifest(dir: string, manifest: Manifest): void {
  const checked = Manifest.parse(manifest);
  writeFileAtomic(manifestPath(dir), JSON.stringify(checked, null, 2) + "\n", 0o600);
}

/** The same atomic write with its fsyncs off the event loop: a round's servers and vSphere calls go on meanwhile. */
export async function writeManifestAsync(dir: string, manifest: Manifest): Promise<void> {
  const checked = Manifest.parse(manifest);
  await writeFileAtomicAsync(manifestPath(dir), JSON.stringify(checked, null, 2) + "\n", 0o600);
}
