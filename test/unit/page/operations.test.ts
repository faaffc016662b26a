// The page's door to detached jobs: launch, cancel and tail go through the helper's `job` commands
// (cockpit.spawn of argv arrays: no shell), the password on stdin only. The job service itself is
// tested for real in test/unit/jobs.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import { cancelOperation, startOperation } from "../../../src/page/host/operations";
import { HelperError } from "../../../src/page/host/helper-error";
import { watchEvents } from "../../../src/page/host/watch";
import { FakeCockpit, eventLine, isTail, settle } from "./fake-cockpit";

let fake: FakeCockpit;
beforeEach(() => {
  fake = new FakeCockpit();
  setCockpit(fake.asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k" });
});

const W = "/srv/v2k/web01/r1";
const noShell = (argv: string[]) => assert.ok(!argv.some((a) => /^(\/bin\/)?(ba)?sh$/.test(a) || a === "-c"), argv.join(" "));

test("start: `job start --workdir W --name RUNID-WORDS -- ARGS`, the password on stdin, the unit from the answer", async () => {
  const started = startOperation({ workdir: W, runId: "r1", args: ["sync", "incr", "--password-stdin"], stdin: "Pw-Secret-5\n" });
  const p = fake.last();
  assert.deepEqual(p.argv, [
    "/opt/v2k/ablestack_v2k",
    "--json",
    "job",
    "start",
    "--workdir",
    W,
    "--name",
    "r1-sync-incr",
    "--",
    "sync",
    "incr",
    "--password-stdin",
  ]);
  noShell(p.argv);
  assert.equal(p.options?.superuser, "require");
  assert.equal(p.input, "Pw-Secret-5\n");
  assert.ok(p.inputDone);
  assert.ok(!p.argv.join(" ").includes("Pw-Secret-5"));
  p.emit(
    eventLine({
      type: "result",
      command: "job start",
      ok: true,
      data: {
        workdir: W,
        label: "sync incr",
        id: "ab12",
        mode: "systemd",
        pid: 4242,
        log: `${W}/job.log`,
        unit: "ablestack-v2k-r1-sync-incr",
      },
    }),
  );
  p.exit();
  assert.deepEqual(await started, { unit: "ablestack-v2k-r1-sync-incr" });
});

test("start refused while a job runs: the helper's error reaches the page with its code", async () => {
  const started = startOperation({ workdir: W, runId: "r1", args: ["sync", "base"] });
  const p = fake.last();
  p.emit(
    eventLine({
      type: "result",
      command: "job start",
      ok: false,
      error: { code: "WORKDIR_LOCKED", message: "'run' (pid 7) still runs", hint: "Wait." },
    }),
  );
  p.exit({ exit_status: 1 });
  await assert.rejects(started, (e: unknown) => e instanceof HelperError && e.info.code === "WORKDIR_LOCKED");
});

test("cancel: `job cancel --workdir W --grace S`; the answer says cancelled", async () => {
  const cancelled = cancelOperation(W, 5);
  const p = fake.last();
  assert.deepEqual(p.argv, ["/opt/v2k/ablestack_v2k", "--json", "job", "cancel", "--workdir", W, "--grace", "5"]);
  noShell(p.argv);
  const record = { command: "sync incr", pid: 4242, startedAt: "t", finishedAt: "t", exitCode: 143, cancelled: true };
  p.emit(eventLine({ type: "result", command: "job cancel", ok: true, data: { state: "exited", record } }));
  p.exit();
  assert.deepEqual(await cancelled, { state: "exited", record });
});

test("events.log is read through `job tail` from the last offset after each change", async () => {
  const path = `${W}/events.log`;
  const first = eventLine({ type: "log", level: "info", message: "one" });
  fake.fs.set(path, first);
  const seen: string[] = [];
  const stop = watchEvents(W, (events) => seen.push(...events.map((e) => (e.type === "log" ? e.message : e.type))));
  await settle(10);
  fake.fs.set(path, first + eventLine({ type: "log", level: "info", message: "two" }));
  fake.change(path);
  await settle(10);
  stop();
  assert.deepEqual(seen, ["one", "two"]);
  const tails = fake.processes.filter((p) => isTail(p.argv));
  assert.ok(tails.length >= 2);
  for (const t of tails) noShell(t.argv);
  assert.deepEqual(tails[0]!.argv.slice(2), ["job", "tail", "--file", path, "--offset=-1", `--window=${2 * 1024 * 1024}`]);
  assert.deepEqual(tails.at(-1)!.argv.slice(2, 7), ["job", "tail", "--file", path, `--offset=${Buffer.byteLength(first)}`]);
});
