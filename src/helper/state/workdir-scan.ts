// The workdirs under a state root: <root>/<vm>/<run-id>/ (init's default) or <root>/<name>/; a directory
// counts as a workdir when it holds manifest.json. Used by list, status and preflight (other migrations).
import { readFile, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Manifest, MANIFEST_SCHEMA_VERSION } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function subdirs(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => join(path, e.name))
    .sort();
}

/** Workdirs at depth 1 or 2 below the root. */
export async function findWorkdirs(root: string): Promise<string[]> {
  if (!(await isDir(root))) return [];
  const found: string[] = [];
  for (const level1 of await subdirs(root)) {
    if (await exists(join(level1, "manifest.json"))) {
      found.push(level1);
      continue;
    }
    for (const level2 of await subdirs(level1)) {
      if (await exists(join(level2, "manifest.json"))) found.push(level2);
    }
  }
  return found;
}

export async function readWorkdirManifest(workdir: string): Promise<Manifest> {
  const path = join(workdir, "manifest.json");
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new V2kError("MANIFEST_CORRUPT", `${path} is not readable JSON`, "Restore the manifest from a backup or remove the workdir.", {
      detail: (e as Error).message,
    });
  }
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version !== MANIFEST_SCHEMA_VERSION) {
    throw new V2kError(
      "MANIFEST_VERSION",
      `${path} has schema version ${version}, this helper reads ${MANIFEST_SCHEMA_VERSION}`,
      "Use the ablestack-v2k version that wrote this workdir, or run any command on it to migrate the manifest.",
    );
  }
  const parsed = Manifest.safeParse(value);
  if (!parsed.success) {
    throw new V2kError(
      "MANIFEST_CORRUPT",
      `${path} does not match the manifest schema`,
      "Restore the manifest from a backup or remove the workdir.",
      {
        detail: parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join(".")}: ${i.message}`)
          .join("\n"),
      },
    );
  }
  return parsed.data;
}
