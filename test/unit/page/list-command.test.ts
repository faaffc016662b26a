// `list`: workdirs at both depths, unreadable manifests reported, running operations detected.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { listWorkdirs } from "../../../src/helper/commands/list";
import { ListResult } from "../../../src/shared/results";
import { sampleManifest } from "./fixtures";

test("list reads every workdir, reports unreadable ones and which have an operation running", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "v2k-list-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const put = (rel: string, file: string, content: string) => {
    mkdirSync(join(root, rel), { recursive: true });
    writeFileSync(join(root, rel, file), content);
  };
  put("web01/r1", "manifest.json", JSON.stringify(sampleManifest({ runId: "r1" })));
  put("web01/r1", "operation.json", JSON.stringify({ command: "sync incr", pid: process.pid, startedAt: "2026-01-01T00:00:00Z" }));
  put("web01/r2", "manifest.json", JSON.stringify(sampleManifest({ runId: "r2", phase: "cbt-enabled" })));
  put(
    "web01/r2",
    "operation.json",
    JSON.stringify({ command: "sync base", pid: process.pid, startedAt: "t", exitCode: 0, finishedAt: "t" }),
  );
  put("db01", "manifest.json", JSON.stringify(sampleManifest({ runId: "d1", phase: "started" })));
  put("broken/r9", "manifest.json", "{ not json");
  put("old/r8", "manifest.json", JSON.stringify({ ...sampleManifest(), schemaVersion: 99 }));
  put("empty/nothing", "other.txt", "x");

  const result = ListResult.parse(await listWorkdirs(root));
  assert.deepEqual(result.migrations.map((m) => m.manifest.runId).sort(), ["d1", "r1", "r2"]);
  const r1 = result.migrations.find((m) => m.manifest.runId === "r1");
  assert.equal(r1?.running?.command, "sync incr");
  assert.equal(result.migrations.find((m) => m.manifest.runId === "r2")?.running, null);
  const codes = Object.fromEntries(result.unreadable.map((u) => [u.workdir.slice(root.length + 1), u.error.code]));
  assert.deepEqual(codes, { "broken/r9": "MANIFEST_CORRUPT", "old/r8": "MANIFEST_VERSION" });

  // The CLI gives the same answer as one JSON result line.
  const out = execFileSync("dist/ablestack_v2k", ["--json", "list", "--root", root], { encoding: "utf8" });
  const last = JSON.parse(out.trim().split("\n").at(-1)!);
  assert.equal(last.ok, true);
  assert.equal(ListResult.parse(last.data).migrations.length, 3);
});

test("list of a missing root is empty, not an error", async () => {
  const result = await listWorkdirs(join(tmpdir(), "v2k-list-does-not-exist-" + process.pid));
  assert.deepEqual(result.migrations, []);
  assert.deepEqual(result.unreadable, []);
});

test("list reports the KVM domain of cut-over migrations as libvirt sees it", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "v2k-list-dom-"));
  const saved = process.env.ABLESTACK_V2K_LIBVIRT_URI;
  process.env.ABLESTACK_V2K_LIBVIRT_URI = "test:///default"; // libvirt's built-in test driver: domain "test" runs
  t.after(() => {
    if (saved === undefined) delete process.env.ABLESTACK_V2K_LIBVIRT_URI;
    else process.env.ABLESTACK_V2K_LIBVIRT_URI = saved;
    rmSync(root, { recursive: true, force: true });
  });
  const cut = (domainName: string) => ({ shutdownMode: "poweroff" as const, requestedAt: "t", definedAt: "t", domainName });
  for (const [name, m] of [
    ["a", sampleManifest({ runId: "a", phase: "started", cutover: cut("test") })],
    ["b", sampleManifest({ runId: "b", phase: "rolled-back", cutover: cut("v2k-no-such-domain") })],
    ["c", sampleManifest({ runId: "c", phase: "incr-synced" })],
  ] as const) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, "manifest.json"), JSON.stringify(m));
  }
  const byRun = Object.fromEntries((await listWorkdirs(root)).migrations.map((m) => [m.manifest.runId, m.domain]));
  assert.deepEqual(byRun, { a: { name: "test", state: "running" }, b: { name: "v2k-no-such-domain", state: "undefined" }, c: null });
});

test("a helper started from a terminal shows as running through the workdir lock; a stale lock does not", async (t) => {
  const { processStartTime } = await import("../../../src/kit/process");
  const root = mkdtempSync(join(tmpdir(), "v2k-list-lock-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const lock = (name: string, body: Record<string, unknown>) => {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, "manifest.json"), JSON.stringify(sampleManifest({ runId: name })));
    writeFileSync(join(root, name, ".lock"), JSON.stringify({ host: "h", startedAt: "2026-01-01T00:00:00Z", ...body }));
  };
  lock("live", { pid: process.pid, procStart: processStartTime(process.pid), command: "sync incr" });
  lock("reused", { pid: process.pid, procStart: "1", command: "sync incr" });
  lock("dead", { pid: 2 ** 22 + 12345, procStart: "", command: "sync base" });
  const byRun = Object.fromEntries((await listWorkdirs(root)).migrations.map((m) => [m.manifest.runId, m.running?.command ?? null]));
  assert.deepEqual(byRun, { live: "sync incr", reused: null, dead: null });
});
