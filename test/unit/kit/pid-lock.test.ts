// The one pid lock under the workdir lock and the lab dir lock: stale holders are recognised by pid
// and by process start time (a reused pid), live ones are kept.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquirePidLock, readLockHolder, type HeldError } from "../../../src/kit/pid-lock";
import { processAlive, processStartTime } from "../../../src/kit/process";
import { lockLabDir, LOCK_FILE as LAB_LOCK } from "../../../src/lab/model/dir-lock";
import { V2kError } from "../../../src/shared/v2k-error";

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "v2k-kit-lock-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const held: HeldError = (holder, reason) => new Error(`held:${reason}:${holder?.pid ?? "?"}`);
const holderFile = (pid: number, procStart: string, host = hostname()) =>
  JSON.stringify({ pid, host, procStart, startedAt: "2026-01-01T00:00:00Z", command: "old" });

test("process facts: our own pid is alive with a start time; a reaped child's pid is not", () => {
  assert.equal(processAlive(process.pid), true);
  assert.match(processStartTime(process.pid), /^\d+$/);
  const dead = spawnSync("true");
  assert.equal(processAlive(dead.pid!), false);
  assert.equal(processStartTime(dead.pid!), "");
});

test("a lock whose pid no longer exists is taken over", (t) => {
  const path = join(tempDir(t), "x.lock");
  writeFileSync(path, holderFile(spawnSync("true").pid!, "1"));
  const lock = acquirePidLock(path, "new", held);
  assert.deepEqual(readLockHolder(path), lock.info);
  assert.equal(lock.info.pid, process.pid);
  lock.release();
  assert.equal(existsSync(path), false);
});

test("a reused pid (alive, but another start time) does not keep a stale lock", (t) => {
  const path = join(tempDir(t), "x.lock");
  writeFileSync(path, holderFile(process.pid, "1"));
  const lock = acquirePidLock(path, "new", held);
  assert.equal(lock.info.procStart, processStartTime(process.pid));
  lock.release();
});

test("a live holder (same pid and start time) keeps the lock; the caller's error says why", async (t) => {
  const path = join(tempDir(t), "x.lock");
  const child = spawn("sleep", ["30"], { stdio: "ignore" });
  t.after(() => child.kill("SIGKILL"));
  await new Promise((r) => setTimeout(r, 100));
  writeFileSync(path, holderFile(child.pid!, processStartTime(child.pid!)));
  assert.throws(() => acquirePidLock(path, "new", held), new RegExp(`^Error: held:running:${child.pid}$`));
  writeFileSync(path, holderFile(child.pid!, processStartTime(child.pid!), "elsewhere"));
  assert.throws(() => acquirePidLock(path, "new", held), /held:other-host/);
});

test("release leaves a lock that another process took meanwhile", (t) => {
  const path = join(tempDir(t), "x.lock");
  const lock = acquirePidLock(path, "a", held);
  writeFileSync(path, holderFile(process.pid, "1"));
  lock.release();
  assert.equal(readFileSync(path, "utf8"), holderFile(process.pid, "1"));
});

test("the lab dir lock is the same primitive: busy while held, stale after its pid is gone", async (t) => {
  const dir = tempDir(t);
  const release = await lockLabDir(dir);
  await assert.rejects(lockLabDir(dir), (e) => e instanceof V2kError && e.code === "LAB_ALREADY_RUNNING" && e.hint.length > 0);
  await release();
  writeFileSync(join(dir, LAB_LOCK), holderFile(spawnSync("true").pid!, "1"));
  const again = await lockLabDir(dir);
  assert.equal(readLockHolder(join(dir, LAB_LOCK))?.pid, process.pid);
  await again();
});
