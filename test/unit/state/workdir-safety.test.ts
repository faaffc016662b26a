// Workdirs an attacker or an accident could use: shared (group/other-writable) or foreign-owned
// directories, VM names that would climb out of the state root, filesystems that refuse the write.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { Emitter } from "../../../src/kit/emitter";
import { Workdir, defaultWorkdirPath } from "../../../src/helper/state/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { sampleManifest, tempDir } from "./fixtures";

function refusal(fn: () => unknown): V2kError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof V2kError, String(e));
    return e;
  }
  assert.fail("expected a refusal");
}

test("a workdir writable by group or others is refused by open and by create, with chmod 700 as the hint", (t) => {
  const root = tempDir(t);
  const dir = join(root, "w");
  Workdir.create(dir, sampleManifest(), new Emitter(), "init").release();
  for (const mode of [0o770, 0o707, 0o777]) {
    chmodSync(dir, mode);
    const e = refusal(() => Workdir.open(dir, new Emitter(), "sync"));
    assert.equal(e.code, "WORKDIR_INVALID");
    assert.match(e.message, /writable by group or others/);
    assert.match(e.hint, /chmod 700/);
    assert.equal(existsSync(join(dir, ".lock")), false, "no lock taken");
  }
  chmodSync(dir, 0o755); // readable is fine: the manifest itself is 0600
  Workdir.open(dir, new Emitter(), "sync").release();
  const shared = join(root, "shared");
  mkdirSync(shared, { mode: 0o777 });
  chmodSync(shared, 0o777);
  assert.equal(refusal(() => Workdir.create(shared, sampleManifest(), new Emitter(), "init")).code, "WORKDIR_INVALID");
  assert.deepEqual(readdirSync(shared), []);
});

test("a workdir owned by another user is refused", { skip: process.geteuid?.() !== 0 ? "needs root to chown" : false }, (t) => {
  const dir = join(tempDir(t), "w");
  Workdir.create(dir, sampleManifest(), new Emitter(), "init").release();
  chownSync(dir, 65534, 65534);
  const e = refusal(() => Workdir.open(dir, new Emitter(), "sync"));
  assert.equal(e.code, "WORKDIR_INVALID");
  assert.match(e.message, /owned by uid 65534, not by root/);
  chownSync(dir, 0, 0);
  Workdir.open(dir, new Emitter(), "sync").release();
});

test("VM names of dots stay inside the state root", () => {
  const saved = process.env.V2K_STATE_DIR;
  process.env.V2K_STATE_DIR = "/srv/v2k";
  try {
    assert.equal(defaultWorkdirPath("..", "r1"), "/srv/v2k/_../r1");
    assert.equal(defaultWorkdirPath(".", "r1"), "/srv/v2k/_./r1");
    assert.equal(defaultWorkdirPath("../../etc", "r1"), "/srv/v2k/.._.._etc/r1");
    assert.equal(defaultWorkdirPath("web01", "r1"), "/srv/v2k/web01/r1");
    assert.equal(defaultWorkdirPath("", "r1"), "/srv/v2k/_/r1");
  } finally {
    if (saved === undefined) delete process.env.V2K_STATE_DIR;
    else process.env.V2K_STATE_DIR = saved;
  }
});

test(
  "create on a full or read-only filesystem: WORKDIR_INVALID with a hint, nothing half-made left",
  { skip: process.geteuid?.() !== 0 ? "needs root to mount" : false },
  (t) => {
    const root = tempDir(t);
    const mnt = join(root, "mnt");
    mkdirSync(mnt);
    assert.equal(spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]).status, 0);
    try {
      assert.equal(spawnSync("fallocate", ["-l", "64k", join(mnt, "filler")]).status, 0);
      const full = refusal(() => Workdir.create(join(mnt, "w"), sampleManifest(), new Emitter(), "init"));
      assert.equal(full.code, "WORKDIR_INVALID");
      assert.match(full.hint, /Free space/);
      assert.deepEqual(readdirSync(mnt), ["filler"], "the half-made workdir is removed");
      assert.equal(spawnSync("mount", ["-o", "remount,ro", mnt]).status, 0);
      const ro = refusal(() => Workdir.create(join(mnt, "w"), sampleManifest(), new Emitter(), "init"));
      assert.equal(ro.code, "WORKDIR_INVALID");
      assert.match(ro.message, /EROFS|read-only/);
    } finally {
      spawnSync("umount", [mnt]);
    }
  },
);
