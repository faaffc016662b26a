import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readManifest, writeManifest, manifestPath } from "../../../src/helper/state/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { sampleManifest, tempDir } from "./fixtures";

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof V2kError, `expected V2kError, got ${String(e)}`);
    assert.ok(e.hint.length > 10, "every error carries a hint");
    return e.code;
  }
  assert.fail("expected an error");
}

test("write then read returns the same manifest, file is 0600 and no temp file remains", (t) => {
  const dir = tempDir(t);
  const m = sampleManifest();
  writeManifest(dir, m);
  assert.deepEqual(readManifest(dir).manifest, m);
  assert.equal(statSync(manifestPath(dir)).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ["manifest.json"]);
  assert.equal(readManifest(dir).migratedFrom, null);
});

test("the manifest holds no secret (password never stored)", (t) => {
  const dir = tempDir(t);
  writeManifest(dir, sampleManifest());
  assert.doesNotMatch(readFileSync(manifestPath(dir), "utf8"), /secret-pw/);
});

test("invalid JSON is MANIFEST_CORRUPT and the file is left untouched", (t) => {
  const dir = tempDir(t);
  writeFileSync(manifestPath(dir), '{"schemaVersion": 1, "kind": "ablestack-v2k-run", ');
  assert.equal(
    code(() => readManifest(dir)),
    "MANIFEST_CORRUPT",
  );
  assert.equal(readFileSync(manifestPath(dir), "utf8"), '{"schemaVersion": 1, "kind": "ablestack-v2k-run", ');
});

test("schema violations are MANIFEST_CORRUPT, foreign JSON is WORKDIR_FOREIGN, newer versions MANIFEST_VERSION", (t) => {
  const dir = tempDir(t);
  const m = sampleManifest() as unknown as Record<string, unknown>;
  writeFileSync(manifestPath(dir), JSON.stringify({ ...m, disks: "nope" }));
  assert.equal(
    code(() => readManifest(dir)),
    "MANIFEST_CORRUPT",
  );
  writeFileSync(manifestPath(dir), JSON.stringify({ name: "something else" }));
  assert.equal(
    code(() => readManifest(dir)),
    "WORKDIR_FOREIGN",
  );
  writeFileSync(manifestPath(dir), JSON.stringify({ ...m, schemaVersion: 99 }));
  assert.equal(
    code(() => readManifest(dir)),
    "MANIFEST_VERSION",
  );
  writeFileSync(manifestPath(dir), JSON.stringify({ ...m, schemaVersion: 0 }));
  assert.equal(
    code(() => readManifest(dir)),
    "MANIFEST_CORRUPT",
  );
});

test("writeManifest refuses to persist an invalid manifest (the old file stays)", (t) => {
  const dir = tempDir(t);
  const m = sampleManifest();
  writeManifest(dir, m);
  const bad = { ...m, phase: "flying" } as unknown as typeof m;
  assert.throws(() => writeManifest(dir, bad));
  assert.equal(readManifest(dir).manifest.phase, "initialized");
});

test("a missing manifest is WORKDIR_INVALID", (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "sub"));
  assert.equal(
    code(() => readManifest(join(dir, "sub"))),
    "WORKDIR_INVALID",
  );
});
