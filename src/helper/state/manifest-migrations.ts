// Explicit, ordered manifest migrations. migrations[v] upgrades a schemaVersion v document to v+1.
// A shape change adds one entry and bumps MANIFEST_SCHEMA_VERSION in src/shared/manifest.ts.
import { MANIFEST_SCHEMA_VERSION } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";

export type RawManifest = Record<string, unknown> & { schemaVersion: number };
export type Migration = (doc: RawManifest) => RawManifest;

export const migrations: Record<number, Migration> = {
  // 2: cutovers undone by rollback are archived (pastCutovers); a started cutover records when the
  // domain first ran, so a retry on the same workdir knows the target may hold the KVM guest's writes.
  1: (doc) => {
    const cutover = doc["cutover"] as Record<string, unknown> | undefined;
    const out: RawManifest = { ...doc, schemaVersion: 2, pastCutovers: [] };
    if (cutover && typeof cutover["startedAt"] === "string" && cutover["domainRanAt"] === undefined) {
      out["cutover"] = { ...cutover, domainRanAt: cutover["startedAt"] };
    }
    return out;
  },
};

/** Upgrade a parsed manifest document to the current schema version (pure; the caller writes it back). */
export function migrateManifest(
  doc: RawManifest,
  table: Record<number, Migration> = migrations,
  current: number = MANIFEST_SCHEMA_VERSION,
): { doc: RawManifest; migratedFrom: number | null } {
  const from = doc.schemaVersion;
  if (!Number.isInteger(from) || from < 1) {
    throw new V2kError(
      "MANIFEST_CORRUPT",
      `manifest.json has an invalid schemaVersion (${String(from)})`,
      "The manifest was edited or damaged; restore it from a backup or start a new workdir with 'init'.",
    );
  }
  if (from > current) {
    throw new V2kError(
      "MANIFEST_VERSION",
      `manifest.json has schemaVersion ${from}, this helper knows up to ${current}`,
      "Use the ablestack_v2k version that created this workdir (or a newer one).",
    );
  }
  let out = doc;
  for (let v = from; v < current; v++) {
    const step = table[v];
    if (!step) {
      throw new V2kError(
        "MANIFEST_VERSION",
        `no migration from manifest schemaVersion ${v}`,
        "This is a packaging bug; report it with the manifest's schemaVersion.",
      );
    }
    out = step(out);
    if (out.schemaVersion !== v + 1) throw new Error(`migration ${v} produced schemaVersion ${out.schemaVersion}`);
  }
  return { doc: out, migratedFrom: from === current ? null : from };
}
