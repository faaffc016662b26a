// The job service's core, run for real on the setsid path (these hosts have no systemd as PID 1):
// start, status, exit code, cancel, the secret on stdin only, the stale stdin-file sweep. The systemd
// path runs against a stand-in systemd-run that checks the secret file and then starts the job.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cancelJob,
  jobStatus,
  liveStartTime,
  readJobRecord,
  readTail,
  startJob,
  STDIN_DIR,
  systemdIsInit,
  systemdRunArgv,
  unitNameFor,
} from "../../../src/kit/jobs/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { entry } from "../cutover/cli-helpers";

const supervisor = [process.execPath, "--import", "tsx", entry, "job", "supervise"];

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "v2k-job-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const ended = (dir: string) =>
  until("the end record", () => {
    const r = readJobRecord(dir);
    return r?.exitCode !== undefined ? r : undefined;
  });

/** A pid that existed and is gone now. */
function deadPid(): number {
  return spawnSync("/bin/true").pid!;
}

test("setsid: start returns with the command's pid; it reads the secret on stdin, never in argv; exit code recorded", async (t) => {
  assert.equal(systemdIsInit(), false, "this test covers the setsid path: systemd must not be PID 1 here");
  const dir = tempDir(t);
  const secret = "Job-Secret-71";
  const script = 'read -r pw; printf "%s" "$pw" > "$0.seen"; sleep 1; exit 3';
  const job = await startJob({
    dir,
    name: "t1",
    label: "sync incr",
    argv: ["/bin/sh", "-c", script, join(dir, "child"), "--password-stdin"],
    stdin: secret + "\n",
    log: "job.log",
    supervisor,
  });
  assert.equal(job.mode, "setsid");
  assert.equal(job.unit, undefined);
  const running = jobStatus(dir);
  assert.equal(running.state, "running");
  assert.equal(running.record!.pid, job.pid);
  assert.equal(running.record!.command, "sync incr");
  assert.equal(running.record!.procStart, liveStartTime(job.pid));
  for (const pid of [job.pid, running.record!.supervisorPid!]) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    assert.ok(!cmdline.includes(secret), `secret in the argv of ${pid}`);
  }
  assert.ok(readFileSync(`/proc/${job.pid}/cmdline`, "utf8").split("\0").includes("--password-stdin"));
  const end = await ended(dir);
  assert.equal(end.exitCode, 3);
  assert.equal(end.cancelled, undefined);
  assert.equal(end.pid, job.pid);
  assert.equal(jobStatus(dir).state, "exited");
  assert.equal(readFileSync(join(dir, "child.seen"), "utf8"), secret);
  assert.ok(!readFileSync(join(dir, "job.log"), "utf8").includes(secret), "secret in the log");
  assert.ok(!readFileSync(join(dir, "operation.json"), "utf8").includes(secret), "secret in operation.json");
});

test("a second start while the job runs is refused (WORKDIR_LOCKED) and leaves the record alone", async (t) => {
  const dir = tempDir(t);
  const job = await startJob({ dir, name: "t2", label: "long", argv: ["/bin/sleep", "30"], log: "job.log", supervisor });
  t.after(() => {
    try {
      process.kill(job.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  });
  await assert.rejects(
    startJob({ dir, name: "t2", label: "again", argv: ["/bin/true"], log: "job.log", supervisor }),
    (e: unknown) => e instanceof V2kError && e.code === "WORKDIR_LOCKED",
  );
  assert.equal(readJobRecord(dir)!.id, job.id);
  const after = await cancelJob(dir, 2_000);
  assert.equal(after.state, "exited");
  assert.equal(after.record!.cancelled, true);
  assert.equal(after.record!.exitCode, 128 + 15, "ended by SIGTERM");
});

test("cancel: SIGTERM, then SIGKILL after the grace period; recorded as cancelled, not failed", async (t) => {
  const dir = tempDir(t);
  const job = await startJob({
    dir,
    name: "t3",
    label: "stubborn",
    argv: ["/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.1; done"],
    log: "job.log",
    supervisor,
  });
  const t0 = Date.now();
  const after = await cancelJob(dir, 600);
  assert.ok(Date.now() - t0 >= 550, "waited for the grace period first");
  assert.equal(after.state, "exited");
  assert.equal(after.record!.exitCode, 137, "killed");
  assert.equal(after.record!.cancelled, true);
  assert.equal(liveStartTime(job.pid), "", "the command is gone");
  assert.equal(existsSync(join(dir, "operation.cancel")), false);
  // cancelling an ended job changes nothing
  assert.deepEqual(await cancelJob(dir, 100), after);
});

test("a job that cannot start is reported at once with its log", async (t) => {
  const dir = tempDir(t);
  await assert.rejects(
    startJob({ dir, name: "t4", label: "bad", argv: ["/nonexistent/helper"], log: "job.log", supervisor }),
    (e: unknown) => e instanceof V2kError && e.code === "PROCESS_FAILED",
  );
});

test("a job without supervisor (a daemon): the launcher records it; killed from outside it is lost", async (t) => {
  const dir = tempDir(t);
  const job = await startJob({ dir, name: "t5", label: "daemon", argv: ["/bin/sleep", "30"], log: "daemon.log" });
  assert.equal(jobStatus(dir).state, "running");
  assert.equal(readJobRecord(dir)!.pid, job.pid);
  process.kill(job.pid, "SIGKILL");
  await until("the daemon to be gone", () => (jobStatus(dir).state === "lost" ? true : undefined));
});

test("stale stdin files of a launcher killed mid-way are swept at the next start; a live launcher's file stays", async (t) => {
  const dir = tempDir(t);
  const stdinDir = join(dir, STDIN_DIR);
  mkdirSync(stdinDir, { mode: 0o700 });
  const stale = `stdin-${deadPid()}-12345-abcd`;
  const live = `stdin-${process.pid}-${liveStartTime(process.pid)}-beef`;
  writeFileSync(join(stdinDir, stale), "old secret", { mode: 0o600 });
  writeFileSync(join(stdinDir, live), "in use", { mode: 0o600 });
  await startJob({ dir, name: "t6", label: "quick", argv: ["/bin/true"], log: "job.log", supervisor });
  assert.deepEqual(readdirSync(stdinDir), [live]);
  await ended(dir);
});

test("systemd path (stand-in systemd-run): unit named after the job, secret in a 0600 file in a 0700 dir, removed once started", async (t) => {
  const dir = tempDir(t);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  // Plays systemd-run: records its argv and the stdin file's modes, then starts the command with that stdin.
  writeFileSync(
    join(bin, "systemd-run"),
    `#!/bin/sh
out=${dir}/systemd-run.seen
printf '%s\\n' "$@" > "$out"
for a in "$@"; do case "$a" in StandardInput=file:*) f=\${a#StandardInput=file:};; esac; done
stat -c '%a' "$f" "$(dirname "$f")" >> "$out.modes"
while [ "$1" != "--" ]; do shift; done; shift
setsid "$@" < "$f" >> ${dir}/job.log 2>&1 &
sleep 0.3
`,
  );
  chmodSync(join(bin, "systemd-run"), 0o755);
  const secret = "Unit-Secret-33";
  const job = await startJob({
    dir,
    name: "run-20261128 x",
    label: "run",
    argv: ["/bin/sh", "-c", 'read -r pw; printf "%s" "$pw" > "$0.seen"', join(dir, "child")],
    stdin: secret + "\n",
    log: "job.log",
    supervisor,
    mode: "systemd",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  assert.equal(job.unit, "ablestack-v2k-run-20261128_x");
  assert.equal(job.record.mode, "systemd");
  assert.equal(job.record.unit, job.unit);
  const argv = readFileSync(join(dir, "systemd-run.seen"), "utf8").trimEnd().split("\n");
  assert.deepEqual(argv.slice(0, 3), ["--unit", "ablestack-v2k-run-20261128_x", "--collect"]);
  assert.ok(argv.includes("Type=exec"));
  assert.ok(argv.includes(`StandardOutput=append:${join(dir, "job.log")}`));
  assert.ok(argv.slice(argv.indexOf("--")).includes("--unit"), "the supervisor knows its unit");
  assert.ok(!argv.join(" ").includes(secret), "secret in systemd-run's argv");
  assert.deepEqual(readFileSync(join(dir, "systemd-run.seen.modes"), "utf8").trim().split("\n"), ["600", "700"]);
  assert.deepEqual(readdirSync(join(dir, STDIN_DIR)), [], "the stdin file is removed once the unit started");
  assert.equal((await ended(dir)).exitCode, 0);
  assert.equal(readFileSync(join(dir, "child.seen"), "utf8"), secret);
});

test("systemd-run argv: properties without secrets, GOVC_URL without credentials, the command after --", () => {
  assert.equal(unitNameFor("a b/c"), "ablestack-v2k-a_b_c");
  const argv = systemdRunArgv({
    unit: "ablestack-v2k-r1",
    dir: "/w",
    log: "run.log",
    stdinFile: undefined,
    cwd: "/opt",
    argv: ["/usr/bin/node", "h.mjs"],
    env: {
      GOVC_URL: "https://u:pw-1@vc/sdk",
      GOVC_PASSWORD: "pw-1",
      V2K_STATE_DIR: "/var/lib/x",
      CEPH_KEY: "k-1",
      HOME: "/root",
      LANG: "ko_KR.UTF-8",
    },
  });
  assert.ok(argv.includes("StandardInput=null"));
  assert.ok(argv.includes("--working-directory=/opt"));
  assert.ok(argv.includes("--setenv=GOVC_URL=https://vc/sdk"));
  assert.ok(argv.includes("--setenv=V2K_STATE_DIR=/var/lib/x"));
  assert.ok(argv.includes("--setenv=LANG=ko_KR.UTF-8"), "the job speaks the caller's language");
  assert.ok(!argv.some((a) => a.includes("pw-1") || a.includes("k-1") || a.includes("HOME")));
  assert.deepEqual(argv.slice(argv.indexOf("--") + 1), ["/usr/bin/node", "h.mjs"]);
});

test("readTail: from an offset, the last window, a missing file, an offset past the end", (t) => {
  const dir = tempDir(t);
  const f = join(dir, "events.log");
  assert.deepEqual(readTail(f, -1, 10), { size: -1, start: -1, text: "" });
  writeFileSync(f, "first\nsecond ü\n");
  const size = statSync(f).size;
  assert.deepEqual(readTail(f, 6, 100), { size, start: 6, text: "second ü\n" });
  assert.deepEqual(readTail(f, -1, 4), {
    size,
    start: size - 4,
    text: readFileSync(f)
      .subarray(size - 4)
      .toString(),
  });
  assert.deepEqual(readTail(f, size + 5, 100), { size, start: -1, text: "" });
});
