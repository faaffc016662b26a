// The helper's V8 code cache (src/app/code-cache.ts) through the built program: written once, used after,
// and a corrupt, foreign or untrusted cache never changes what a command does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codeCacheDir, CODE_CACHE_ENV } from "../../src/app/code-cache";

const helper = "dist/ablestack_v2k";

function runVersion(cache: string, program = helper): string {
  const r = spawnSync(program, ["--json", "version"], { encoding: "utf8", env: { ...process.env, [CODE_CACHE_ENV]: cache } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.equal(last.ok, true);
  return last.data.version as string;
}

function cacheFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".v8cache"));
}

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "v2k-code-cache-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const expected = runVersion("off");

test("the first run writes the cache (0600), later runs use it without rewriting it", () => {
  withDir((dir) => {
    assert.equal(runVersion(dir), expected);
    const [name] = cacheFiles(dir);
    assert.ok(name, "a cache file was written");
    const file = join(dir, name);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const written = readFileSync(file);
    assert.ok(written.length > 100_000, `cache of ${written.length} bytes`);
    assert.equal(runVersion(dir), expected);
    assert.deepEqual(cacheFiles(dir), [name]);
    assert.ok(readFileSync(file).equals(written), "an accepted cache is not rewritten");
  });
});

test("a corrupt or truncated cache is rejected silently, the command runs, and the cache is regenerated", () => {
  withDir((dir) => {
    runVersion(dir);
    const [name] = cacheFiles(dir);
    const file = join(dir, name!);
    const good = readFileSync(file);
    for (const bad of [Buffer.alloc(good.length, 0x5a), good.subarray(0, 64), Buffer.alloc(0)]) {
      writeFileSync(file, bad);
      assert.equal(runVersion(dir), expected);
      const now = readFileSync(file);
      assert.ok(!now.equals(bad) && now.length > 100_000, "the rejected cache was replaced");
    }
  });
});

test("a bundle replaced after its build (same length, the launcher's hash now stale) never runs with the old cache", () => {
  withDir((dir) => {
    // a copy of the built helper whose bundle is then rewritten in place, as `cp` over it would
    const install = join(dir, "install");
    mkdirSync(join(install, "helper"), { recursive: true });
    for (const f of ["ablestack_v2k", "helper/ablestack_v2k.mjs", "helper/ablestack_v2k.cjs"]) {
      copyFileSync(join("dist", f), join(install, f));
    }
    chmodSync(join(install, "ablestack_v2k"), 0o755);
    const cache = join(dir, "cache");
    assert.equal(runVersion(cache, join(install, "ablestack_v2k")), expected);
    const bundle = join(install, "helper/ablestack_v2k.cjs");
    const source = readFileSync(bundle, "latin1");
    assert.ok(source.includes(`"${expected}"`), "the version is a literal of the bundle");
    // V8 would accept the old cache for this source (same length) and run the old code, old version and all
    const other = expected.replace(/[0-9]/g, "9");
    writeFileSync(bundle, source.replaceAll(`"${expected}"`, `"${other}"`), "latin1");
    assert.equal(runVersion(cache, join(install, "ablestack_v2k")), other);
    assert.equal(cacheFiles(cache).length, 2, "the replaced bundle got a cache of its own");
  });
});

test("a cache directory others can write is not used (a cache is code the helper runs, as root too)", () => {
  withDir((dir) => {
    chmodSync(dir, 0o777);
    assert.equal(runVersion(dir), expected);
    assert.deepEqual(cacheFiles(dir), []);
  });
});

test("an unusable cache location costs nothing but the cache", () => {
  withDir((dir) => {
    const notADir = join(dir, "file");
    writeFileSync(notADir, "");
    assert.equal(runVersion(join(notADir, "cache")), expected);
  });
});

test("cache location: the variable, root's /var/cache, a user's XDG or ~/.cache", () => {
  assert.equal(codeCacheDir({ [CODE_CACHE_ENV]: "off" }, 0), null);
  assert.equal(codeCacheDir({ [CODE_CACHE_ENV]: "/x" }, 0), "/x");
  assert.equal(codeCacheDir({}, 0), "/var/cache/ablestack-v2k");
  assert.equal(codeCacheDir({ XDG_CACHE_HOME: "/c", HOME: "/h" }, 1000), "/c/ablestack-v2k");
  assert.equal(codeCacheDir({ HOME: "/h" }, 1000), "/h/.cache/ablestack-v2k");
});
