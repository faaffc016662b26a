// The host wrapper around cockpit.spawn: stream splitting, schema validation, error mapping, secrets.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import { runHelper } from "../../../src/page/host/helper";
import { HelperError } from "../../../src/page/host/helper-error";
import * as api from "../../../src/page/host/api";
import { LineSplitter } from "../../../src/page/host/line-splitter";
import { type V2kEvent } from "../../../src/shared/events";
import { FakeCockpit, eventLine, tick } from "./fake-cockpit";

let fake: FakeCockpit;
beforeEach(() => {
  fake = new FakeCockpit();
  setCockpit(fake.asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k" });
});

const Data = z.object({ answer: z.number() });

test("line splitter joins lines cut across chunks and keeps the tail until flushed", () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('{"a":'), []);
  assert.deepEqual(s.push('1}\n{"b"'), ['{"a":1}']);
  assert.deepEqual(s.push(':2}\r\n\n{"c":3}'), ['{"b":2}']);
  assert.deepEqual(s.flush(), ['{"c":3}']);
  assert.deepEqual(s.flush(), []);
});

test("events split at arbitrary chunk boundaries arrive whole and in order; the result is validated", async () => {
  const seen: V2kEvent[] = [];
  const run = runHelper({ args: ["status"], workdir: "/w", result: Data, onEvent: (e) => seen.push(e) });
  const p = fake.last();
  assert.deepEqual(p.argv, ["/opt/v2k/ablestack_v2k", "--json", "--workdir", "/w", "status"]);
  assert.equal(p.options?.superuser, "require");
  assert.deepEqual(
    p.options?.environ,
    ["V2K_STATE_DIR=/srv/v2k", "ABLESTACK_V2K_LANG=en"],
    "workdirs go under the configured root; the helper speaks the page's language",
  );
  const text =
    eventLine({ type: "log", level: "info", message: "one" }) +
    eventLine({ type: "progress", disk: 2000, bytes: 10, total: 100, rateBps: 5 }) +
    eventLine({ type: "result", command: "status", ok: true, data: { answer: 42 } });
  for (let i = 0; i < text.length; i += 7) p.emit(text.slice(i, i + 7)); // 7-byte chunks cut everything
  p.exit();
  assert.deepEqual(await run.promise, { answer: 42 });
  assert.deepEqual(
    seen.map((e) => e.type),
    ["log", "progress", "result"],
  );
  assert.equal(seen[0]?.type === "log" && seen[0].message, "one");
});

test("unknown event types are ignored, not reported as malformed", async () => {
  const seen: string[] = [];
  const malformed: string[] = [];
  const run = runHelper({ args: ["status"], result: Data, onEvent: (e) => seen.push(e.type), onMalformed: (l) => malformed.push(l) });
  const p = fake.last();
  p.emit(eventLine({ type: "hologram", colour: "blue" }));
  p.emit(eventLine({ type: "result", command: "status", ok: true, data: { answer: 1 } }));
  p.exit();
  assert.deepEqual(await run.promise, { answer: 1 });
  assert.deepEqual(seen, ["result"]);
  assert.deepEqual(malformed, []);
});

test("malformed output is reported, and without a result line it is the error's detail", async () => {
  const malformed: string[] = [];
  const run = runHelper({ args: ["status"], result: Data, onMalformed: (l) => malformed.push(l) });
  const p = fake.last();
  p.emit("Traceback: something broke\n");
  p.emit(eventLine({ type: "log", level: "bogus-level", message: "x" }));
  p.exit();
  await assert.rejects(run.promise, (e: unknown) => {
    assert.ok(e instanceof HelperError);
    assert.equal(e.code, "HELPER_OUTPUT_INVALID");
    assert.match(e.info.detail ?? "", /Traceback: something broke/);
    return true;
  });
  assert.equal(malformed.length, 2);
});

test("a failed result becomes a HelperError carrying the helper's code, hint and detail", async () => {
  const run = runHelper({ args: ["sync", "incr"], result: Data });
  const p = fake.last();
  p.emit(
    eventLine({
      type: "result",
      command: "sync incr",
      ok: false,
      error: { code: "CBT_NOT_ACTIVE", message: "CBT is off", hint: "Run cbt enable.", detail: "QCDA fault" },
    }),
  );
  p.exit({ exit_status: 1 }); // the helper exits 1 after its result line: the line decides
  await assert.rejects(run.promise, (e: unknown) => {
    assert.ok(e instanceof HelperError);
    assert.deepEqual(e.info, { code: "CBT_NOT_ACTIVE", message: "CBT is off", hint: "Run cbt enable.", detail: "QCDA fault" });
    return true;
  });
});

test("a result of the wrong shape is HELPER_OUTPUT_INVALID", async () => {
  const run = runHelper({ args: ["status"], result: Data });
  const p = fake.last();
  p.emit(eventLine({ type: "result", command: "status", ok: true, data: { answer: "forty-two" } }));
  p.exit();
  await assert.rejects(
    run.promise,
    (e: unknown) => e instanceof HelperError && e.code === "HELPER_OUTPUT_INVALID" && /answer/.test(e.info.detail ?? ""),
  );
});

test("bridge failures map to codes with hints: access denied, missing helper, crash, cancel", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ problem: "access-denied" }, "ADMIN_REQUIRED"],
    [{ problem: "not-found" }, "TOOL_MISSING"],
    [{ exit_signal: "SIGKILL", message: "killed" }, "PROCESS_FAILED"],
  ];
  for (const [failure, code] of cases) {
    const run = runHelper({ args: ["status"], result: Data });
    fake.last().exit(failure);
    await assert.rejects(run.promise, (e: unknown) => e instanceof HelperError && e.code === code && e.info.hint.length > 0);
  }
  const run = runHelper({ args: ["status"], result: Data });
  run.cancel();
  assert.equal(fake.last().closedWith, "terminated");
  await assert.rejects(run.promise, (e: unknown) => e instanceof HelperError && e.code === "CANCELLED");
});

test("the vCenter password goes to stdin only, never into argv", async () => {
  const conn = { url: "https://vc/sdk", username: "admin", password: "s3cret-Pass!", thumbprint: "AA:BB" };
  const run = api.preflight({
    conn,
    target: {
      vm: "web01",
      storage: "file",
      dst: "/var/lib/libvirt/images/web01",
      devices: [],
      rbdPool: "",
      format: "qcow2",
      transport: "http",
      networkMap: {},
    },
  });
  const p = fake.last();
  assert.ok(!p.argv.some((a) => a.includes("s3cret")), "password in argv");
  assert.ok(p.argv.includes("--password-stdin"));
  assert.equal(p.input, "s3cret-Pass!\n");
  assert.ok(p.inputDone);
  p.emit(
    eventLine({
      type: "result",
      command: "preflight",
      ok: true,
      data: { go: false, checks: [{ id: "vm", title: "VM found", status: "fail", reason: "no such VM" }] },
    }),
  );
  p.exit();
  const result = await run.promise;
  assert.equal(result.go, false);
  assert.equal(result.checks[0]?.status, "fail");
});

test("commands without secrets still close stdin so the helper never waits for input", async () => {
  const run = api.listMigrations();
  const p = fake.last();
  assert.deepEqual(p.argv.slice(1), ["--json", "list", "--root", "/srv/v2k"]);
  assert.ok(p.inputDone);
  assert.equal(p.input, "");
  p.emit(eventLine({ type: "result", command: "list", ok: true, data: { root: "/srv/v2k", migrations: [], unreadable: [] } }));
  p.exit();
  assert.deepEqual((await run.promise).migrations, []);
  await tick();
});

test("command words stop at the first option, so option values never name an operation", async () => {
  const { commandWords } = await import("../../../src/page/host/helper");
  assert.deepEqual(commandWords(["cutover", "--shutdown", "guest", "--start"]), ["cutover"]);
  assert.deepEqual(commandWords(["sync", "incr", "--password-stdin"]), ["sync", "incr"]);
  assert.deepEqual(commandWords(["verify", "--mode", "quick"]), ["verify"]);
});
