// The detached-operation launcher, supervisor and cancel scripts, run for real with /bin/sh (the
// setsid path: these hosts have no systemd as PID 1). A stand-in helper script plays the helper.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CANCEL_SCRIPT, LAUNCH_SCRIPT, SUPERVISOR_SCRIPT } from "../../../src/page/host/operations";
import { OperationRecord } from "../../../src/shared/results";

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function record(wd: string): OperationRecord | undefined {
  try {
    return OperationRecord.parse(JSON.parse(readFileSync(join(wd, "operation.json"), "utf8")));
  } catch {
    return undefined;
  }
}

function launch(wd: string, helper: string, input: string) {
  const started = Date.now();
  const r = spawnSync("/bin/sh", ["-c", LAUNCH_SCRIPT, "sh", "unit-t", wd, "sync incr", helper, "--workdir", wd, "sync", "incr", "--password-stdin"],
    { input, env: { ...process.env, SUPERVISOR: SUPERVISOR_SCRIPT }, encoding: "utf8", timeout: 10_000 });
  return { status: r.status, ms: Date.now() - started };
}

test("launch returns at once; the helper gets stdin (not argv); operation.json records start and exit code", async (t) => {
  const wd = mkdtempSync(join(tmpdir(), "v2k-op-"));
  t.after(() => rmSync(wd, { recursive: true, force: true }));
  const helper = join(wd, "fake-helper");
  writeFileSync(helper, '#!/bin/sh\nread -r pw\nprintf "%s|%s" "$pw" "$*" > "$(dirname "$0")/seen"\nsleep 1\nexit 3\n');
  chmodSync(helper, 0o755);
  const secret = "Op-Secret-91";
  const r = launch(wd, helper, secret + "\n");
  assert.equal(r.status, 0);
  assert.ok(r.ms < 3000, `launch took ${r.ms} ms`);
  const start = await until("start record", () => record(wd));
  assert.equal(start.command, "sync incr");
  assert.equal(start.exitCode, undefined);
  const cmdline = readFileSync(`/proc/${start.pid}/cmdline`, "utf8").split("\0");
  assert.ok(!cmdline.join(" ").includes(secret), "secret in the helper's argv");
  assert.ok(cmdline.includes("--password-stdin"));
  const end = await until("exit record", () => { const x = record(wd); return x?.exitCode !== undefined ? x : undefined; });
  assert.equal(end.exitCode, 3);
  assert.equal(end.pid, start.pid);
  assert.equal(readFileSync(join(wd, "seen"), "utf8"), `${secret}|--workdir ${wd} sync incr --password-stdin`);
  assert.ok(!existsSync(join(wd, "operation.json.tmp")));
});

test("cancel: SIGTERM, then SIGKILL after the grace period for a helper that does not stop", async (t) => {
  const wd = mkdtempSync(join(tmpdir(), "v2k-op-"));
  t.after(() => rmSync(wd, { recursive: true, force: true }));
  const stubborn = join(wd, "stubborn-helper");
  writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM\nread -r pw\nwhile :; do sleep 0.2; done\n");
  chmodSync(stubborn, 0o755);
  assert.equal(launch(wd, stubborn, "pw\n").status, 0);
  const start = await until("start record", () => record(wd));
  const t0 = Date.now();
  const c = spawnSync("/bin/sh", ["-c", CANCEL_SCRIPT, "sh", wd, "5"], { encoding: "utf8", timeout: 10_000 });
  assert.equal(c.status, 0);
  const end = await until("exit record", () => { const x = record(wd); return x?.exitCode !== undefined ? x : undefined; });
  assert.equal(end.exitCode, 137, "killed");
  assert.ok(Date.now() - t0 >= 400, "waited for the grace period first");
  assert.throws(() => process.kill(start.pid, 0));
});
