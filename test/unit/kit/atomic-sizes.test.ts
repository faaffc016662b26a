// Atomic file replacement (sync and async forms) and human sizes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic, writeFileAtomicAsync } from "../../../src/kit/atomic-file";
import { parseSize, sizeOption, SizeSchema } from "../../../src/kit/sizes";

test("atomic write replaces the content, mode 0600, and leaves no temp file behind", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-kit-atomic-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "m.json");
  writeFileSync(path, "old");
  writeFileAtomic(path, "new");
  assert.equal(readFileSync(path, "utf8"), "new");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  await Promise.all([writeFileAtomicAsync(path, "a"), writeFileAtomicAsync(path, "b")]);
  assert.ok(["a", "b"].includes(readFileSync(path, "utf8")));
  await writeFileAtomicAsync(path, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
  assert.deepEqual(readdirSync(dir), ["m.json"]);
});

test("a failed atomic write leaves the old content and no temp file", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-kit-atomic-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "x"), "keep");
  // renaming a file over a non-empty directory fails
  const sub = join(dir, "sub");
  writeFileAtomic(join(dir, "x"), "keep2");
  mkdirSync(join(sub, "inner"), { recursive: true });
  assert.throws(() => writeFileAtomic(sub, "data"));
  assert.deepEqual(readdirSync(dir).sort(), ["sub", "x"]);
  assert.equal(readFileSync(join(dir, "x"), "utf8"), "keep2");
});

test("sizes: bytes and binary units, case-insensitive, with or without (i)B; junk is undefined", () => {
  assert.equal(parseSize("4096"), 4096);
  assert.equal(parseSize("64K"), 64 * 1024);
  assert.equal(parseSize("4m"), 4 * 1024 ** 2);
  assert.equal(parseSize("4MiB"), 4 * 1024 ** 2);
  assert.equal(parseSize(" 1GB "), 1024 ** 3);
  assert.equal(parseSize("2T"), 2 * 1024 ** 4);
  for (const bad of ["", "x", "1.5M", "-1", "4P", "4 M B", "99999999999999999999"]) assert.equal(parseSize(bad), undefined, bad);
});

test("size schemas: an option names itself in its error; positive refuses 0; JSON bodies take numbers too", () => {
  assert.equal(sizeOption("chunk").parse("1M"), 1024 ** 2);
  assert.equal(sizeOption("chunk").parse("0"), 0);
  assert.equal(sizeOption("chunk").optional().parse(undefined), undefined);
  const bad = sizeOption("chunk", { positive: true }).safeParse("0");
  assert.equal(bad.success, false);
  assert.match((bad as z.SafeParseError<string>).error.issues[0]!.message, /--chunk '0' is not a positive size/);
  assert.equal(sizeOption("offset").safeParse("lots").success, false);
  assert.equal(SizeSchema.parse(512), 512);
  assert.equal(SizeSchema.parse("1K"), 1024);
  assert.equal(SizeSchema.safeParse(-1).success, false);
  assert.equal(SizeSchema.safeParse("nope").success, false);
});
