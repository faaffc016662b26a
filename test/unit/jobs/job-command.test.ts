// `ablestack_v2k job start|status|cancel|tail` as the page and scripts call them (the real CLI, --json).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, entry } from "../cutover/cli-helpers";
import { JobStarted, JobStatusResult, TailChunk } from "../../../src/shared/results";
import { repoRoot } from "../../support/lab";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "v2k-jobcli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("job start runs a helper command detached; status follows it to its exit code; its output is in job.log", async (t) => {
  const W = tempDir(t);
  const r = await cli(["job", "start", "--workdir", W, "--", "version"], { input: "not-a-secret-in-argv\n" });
  assert.ok(r.ok, r.stderr);
  const started = JobStarted.parse(r.data);
  assert.equal(started.label, "version");
  assert.equal(started.mode, "setsid");
  let status = JobStatusResult.parse((await cli(["job", "status", "--workdir", W])).data);
  for (let i = 0; i < 100 && status.state === "running"; i++) {
    await new Promise((res) => setTimeout(res, 100));
    status = JobStatusResult.parse((await cli(["job", "status", "--workdir", W])).data);
  }
  assert.equal(status.state, "exited");
  assert.equal(status.record?.exitCode, 0);
  assert.equal(status.record?.pid, started.pid);
  assert.ok(!status.record?.argv?.join(" ").includes("not-a-secret"), "stdin never becomes argv");
  assert.match(readFileSync(join(W, "job.log"), "utf8"), /"command":"version","ok":true/);
  // nothing runs: cancel reports the state and changes nothing
  const c = JobStatusResult.parse((await cli(["job", "cancel", "--workdir", W])).data);
  assert.deepEqual(c, status);
});

test("job commands refuse bad input with stable codes", async (t) => {
  const W = tempDir(t);
  const missing = await cli(["job", "status", "--workdir", join(W, "nope")]);
  assert.equal(missing.error?.code, "WORKDIR_INVALID");
  const noCommand = await cli(["job", "start", "--workdir", W]);
  assert.equal(noCommand.error?.code, "USAGE");
  assert.equal(noCommand.code, 2);
  const nested = await cli(["job", "start", "--workdir", W, "--", "job", "status", "--workdir", W]);
  assert.equal(nested.error?.code, "USAGE");
  assert.equal((await cli(["job", "status", "--workdir", W])).data.state, "none");
});

test("job tail: from an offset and the last window as one result; --follow prints JSON lines of complete lines", async (t) => {
  const W = tempDir(t);
  const f = join(W, "events.log");
  writeFileSync(f, "one\ntwo\n");
  assert.deepEqual(TailChunk.parse((await cli(["job", "tail", "--file", f, "--offset", "4"])).data), { size: 8, start: 4, text: "two\n" });
  // the page's form: the last window asked for with --offset=-1
  assert.deepEqual(TailChunk.parse((await cli(["job", "tail", "--file", f, "--offset=-1", "--window=4"])).data), {
    size: 8,
    start: 4,
    text: "two\n",
  });
  assert.deepEqual((await cli(["job", "tail", "--file", join(W, "none")])).data, { size: -1, start: -1, text: "" });

  const follow = spawn(process.execPath, ["--import", "tsx", entry, "--json", "job", "tail", "--file", f, "--offset", "0", "--follow"], {
    cwd: repoRoot,
  });
  let out = "";
  follow.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const lines = () =>
    out
      .split("\n")
      .filter((l) => l.includes('"type":"tail"'))
      .map((l) => JSON.parse(l) as TailChunk);
  const wait = async (n: number) => {
    for (let i = 0; i < 200 && lines().length < n; i++) await new Promise((r) => setTimeout(r, 50));
  };
  await wait(1);
  appendFileSync(f, "thr");
  await new Promise((r) => setTimeout(r, 600)); // a partial line is not printed
  appendFileSync(f, "ee\n");
  await wait(2);
  follow.kill("SIGTERM");
  await new Promise((r) => follow.once("exit", r));
  assert.deepEqual(
    lines().map((c) => [c.start, c.text]),
    [
      [0, "one\ntwo\n"],
      [8, "three\n"],
    ],
  );
});
