// events.log: every event is in the file when emit() returns (a helper killed with -9 loses none of
// them), and its background fsyncs neither keep a finished process alive nor lose lines at exit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const sink = new URL("../../../src/helper/state/events-log.ts", import.meta.url).pathname;

/** A child process that writes `n` events through the sink, then ends as `end` says. */
function writer(path: string, n: number, end: "kill" | "return"): { status: number | null; signal: string | null } {
  const script = `
    const { EventsLogSink } = await import(${JSON.stringify(sink)});
    const s = new EventsLogSink(${JSON.stringify(path)});
    for (let i = 0; i < ${n}; i++) s.write({ ts: new Date().toISOString(), seq: i, type: "log", level: "info", step: "t", message: "line " + i });
    ${end === "kill" ? 'process.kill(process.pid, "SIGKILL");' : ""}`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.stderr.trim(), "", r.stderr);
  return { status: r.status, signal: r.signal };
}

function seqs(path: string): number[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => (JSON.parse(l) as { seq: number }).seq);
}

test("a writer killed with -9 right after its last event leaves every event in events.log", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-events-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "events.log");
  const r = writer(path, 200, "kill");
  assert.equal(r.signal, "SIGKILL");
  assert.deepEqual(seqs(path), [...Array(200).keys()]);
});

test("a writer that finishes exits with every event written (the background fsyncs end with it)", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-events-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "events.log");
  const r = writer(path, 200, "return");
  assert.equal(r.status, 0);
  assert.deepEqual(seqs(path), [...Array(200).keys()]);
});
