import { test } from "node:test";
import assert from "node:assert/strict";
import { migrateManifest, migrations, type RawManifest } from "../../../src/helper/state/index";
import { MANIFEST_SCHEMA_VERSION } from "../../../src/shared/manifest";
import { V2kError } from "../../../src/shared/v2k-error";

test("the current version needs no migration and the real table is consistent", () => {
  const doc = { schemaVersion: MANIFEST_SCHEMA_VERSION, kind: "x" } as RawManifest;
  const r = migrateManifest(doc);
  assert.equal(r.migratedFrom, null);
  assert.equal(r.doc, doc);
  for (let v = 1; v < MANIFEST_SCHEMA_VERSION; v++) assert.ok(migrations[v], `migration ${v} -> ${v + 1} exists`);
});

test("migrations run in order from the document's version to the current one", () => {
  const table = {
    1: (d: RawManifest) => ({ ...d, schemaVersion: 2, renamed: d.old }),
    2: (d: RawManifest) => ({ ...d, schemaVersion: 3, added: true }),
  };
  const r = migrateManifest({ schemaVersion: 1, old: "v" } as RawManifest, table, 3);
  assert.equal(r.migratedFrom, 1);
  assert.deepEqual(r.doc, { schemaVersion: 3, old: "v", renamed: "v", added: true });
  const from2 = migrateManifest({ schemaVersion: 2 } as RawManifest, table, 3);
  assert.deepEqual(from2.doc, { schemaVersion: 3, added: true });
});

test("a gap in the table or a wrong step result is an error, never a silent pass", () => {
  assert.throws(
    () => migrateManifest({ schemaVersion: 1 } as RawManifest, {}, 2),
    (e) => e instanceof V2kError && e.code === "MANIFEST_VERSION",
  );
  assert.throws(
    () => migrateManifest({ schemaVersion: 1 } as RawManifest, { 1: (d) => ({ ...d, schemaVersion: 5 }) }, 2),
    /produced schemaVersion 5/,
  );
  assert.throws(
    () => migrateManifest({ schemaVersion: 4 } as RawManifest, {}, 3),
    (e) => e instanceof V2kError && e.code === "MANIFEST_VERSION",
  );
});
