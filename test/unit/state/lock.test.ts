import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { acquireLock, LOCK_FILE } from "../../../src/helper/state/index";
import { processStartTime } from "../../../src/kit/process";
import { V2kError } from "../../../src/shared/v2k-error";
import { tempDir } from "./fixtures";

test("a lock records pid, host and start time, and release removes it", (t) => {
  const dir = tempDir(t);
  const lock = acquireLock(dir, "sync incr");
  const info = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"));
  assert.equal(info.pid, process.pid);
  assert.equal(info.host, hostname());
  assert.equal(info.procStart, processStartTime(process.pid));
  assert.notEqual(info.procStart, "");
  lock.release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
});

test("a second helper on the same workdir gets WORKDIR_LOCKED while the holder lives", async (t) => {
  const dir = tempDir(t);
  // a live holder in another process: write its lock info as it would
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  t.after(() => child.kill("SIGKILL"));
  await new Promise((r) => setTimeout(r, 100));
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: child.pid, host: hostname(), procStart: processStartTime(child.pid!), startedAt: "x", command: "sync base" }),
  );
  assert.throws(
    () => acquireLock(dir, "sync incr"),
    (e) => e instanceof V2kError && e.code === "WORKDIR_LOCKED" && /sync base/.test(e.message) && e.hint.length > 0,
  );
  // also within one process: the lock is not re-entrant
  child.kill("SIGKILL");
});

test("a lock whose process is gone (kill -9) is stale and taken over", (t) => {
  const dir = tempDir(t);
  const dead = spawnSync("true");
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: dead.pid, host: hostname(), procStart: "1", startedAt: "x", command: "sync base" }),
  );
  const lock = acquireLock(dir, "sync incr");
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")).pid, process.pid);
  lock.release();
});

test("a reused pid (different start time) does not keep a stale lock alive", (t) => {
  const dir = tempDir(t);
  // our own pid, but a start time that is not ours: a previous helper with the same pid
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: process.pid, host: hostname(), procStart: "1", startedAt: "x", command: "old" }),
  );
  const lock = acquireLock(dir, "new");
  lock.release();
});

test("the live holder of this process blocks a second acquire", (t) => {
  const dir = tempDir(t);
  const first = acquireLock(dir, "a");
  t.after(() => first.release());
  assert.throws(
    () => acquireLock(dir, "b"),
    (e) => e instanceof V2kError && e.code === "WORKDIR_LOCKED",
  );
});

test("a lock held on another host is never broken", (t) => {
  const dir = tempDir(t);
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: 1, host: "other-host.example", procStart: "1", startedAt: "x", command: "sync" }),
  );
  assert.throws(
    () => acquireLock(dir, "b"),
    (e) => e instanceof V2kError && e.code === "WORKDIR_LOCKED" && /other-host/.test(e.message),
  );
});
