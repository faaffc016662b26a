// A copy waiting for a host copy slot, as the page shows it inside the Cockpit shell: the disk says it
// waits and for what while the step runs (events.log and operation.json as the helper and the job
// service write them); once the step has ended a stale wait is not shown.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { frameOf, startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest } from "../unit/page/fixtures";

let cockpit: CockpitSession;
let root: string;
let workdir: string;
const RUN = "20260101-000000-slots";
const started = { command: "sync base", pid: process.pid, startedAt: new Date().toISOString() };

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-slot-waits-"));
  workdir = join(root, "web01", RUN);
  mkdirSync(workdir, { recursive: true });
  const manifest = sampleManifest({ runId: RUN, phase: "cbt-enabled" });
  writeFileSync(join(workdir, "manifest.json"), JSON.stringify(manifest));
  const disk = manifest.disks[0]!.key;
  const wait = {
    ts: new Date().toISOString(),
    seq: 1,
    type: "log",
    level: "info",
    step: "sync base",
    message: "Hard disk 1: waiting for a copy slot: host-wide disk copies 2/2 busy (db01 Hard disk 1 (r1), db02 Hard disk 1 (r2))",
    disk,
    slot: "waiting",
  };
  writeFileSync(join(workdir, "events.log"), JSON.stringify(wait) + "\n");
  writeFileSync(join(workdir, "operation.json"), JSON.stringify(started));
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

test("a waiting copy says so and for what while its step runs; not after the step ended", async () => {
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(workdir)}`, { waitUntil: "domcontentloaded" });
  const frame = await frameOf(page, "/ablestack-v2k/index.html");
  const wait = await frame.waitForSelector(".v2k-disk-waiting", { timeout: 60_000 });
  const text = await wait!.evaluate((e) => e.textContent ?? "");
  assert.match(text, /Waiting for a copy slot: .*host-wide disk copies 2\/2 busy \(db01 Hard disk 1/);
  await cockpit.screenshot(page, "slot-wait");

  writeFileSync(join(workdir, "operation.json"), JSON.stringify({ ...started, finishedAt: new Date().toISOString(), exitCode: 0 }));
  await frame.waitForFunction(() => document.querySelector(".v2k-disk-waiting") === null, { timeout: 60_000, polling: 200 });
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});
