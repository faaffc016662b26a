import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";

const helper = "dist/ablestack_v2k";

test("--help lists commands and exits 0", () => {
  const out = execFileSync(helper, ["--help"], { encoding: "utf8" });
  assert.match(out, /usage: ablestack_v2k/);
  assert.match(out, /version/);
});

test("unknown command exits 2", () => {
  const r = spawnSync(helper, ["no-such-command"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command/);
});

test("--json ends with one result line", () => {
  const out = execFileSync(helper, ["--json", "version"], { encoding: "utf8" });
  const lines = out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const last = lines.at(-1);
  assert.equal(last.type, "result");
  assert.equal(last.ok, true);
  assert.equal(typeof last.data.version, "string");
});

test("bad option gives USAGE error with a hint and exit 2", () => {
  const r = spawnSync(helper, ["--json", "version", "--bogus"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.equal(last.ok, false);
  assert.equal(last.error.code, "USAGE");
  assert.ok(last.error.hint.length > 0);
});
