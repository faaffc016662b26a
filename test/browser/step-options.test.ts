// The runbook's options from the page, inside the Cockpit shell: "Step options" offers each step's
// options from the helper's declarations, refuses what the helper would refuse, shows what is set, and
// the next step's real command line (the job service's operation.json) carries them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Frame } from "puppeteer-core";
import { frameOf, startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest, syncedRound } from "../unit/page/fixtures";

let cockpit: CockpitSession;
let root: string;
let workdir: string;
const RUN = "20260101-000000-options";

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-step-options-"));
  workdir = join(root, "web01", RUN);
  mkdirSync(workdir, { recursive: true });
  writeFileSync(
    join(workdir, "manifest.json"),
    JSON.stringify(sampleManifest({ runId: RUN, phase: "base-synced", rounds: [syncedRound(0, "base", 1000, 500)] })),
  );
  writeFileSync(join(workdir, "events.log"), "");
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

async function typeInto(frame: Frame, selector: string, text: string): Promise<void> {
  await frame.click(selector, { clickCount: 3 });
  await frame.type(selector, text);
}

test("step options: the helper's validation on the page, a summary, and the sync's command line carries them", async () => {
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(workdir)}`, { waitUntil: "domcontentloaded" });
  const frame = await frameOf(page, "/ablestack-v2k/index.html");
  await (await frame.waitForSelector("#v2k-step-options", { timeout: 60_000 }))!.click();
  await frame.waitForSelector("#v2k-step-options-dialog #v2k-opt-sync-jobs", { timeout: 30_000 });
  const jobsPlaceholder = await frame.$eval("#v2k-opt-sync-jobs", (e) => (e as HTMLInputElement).placeholder);
  assert.match(jobsPlaceholder, /default 8/, "the helper's default, from its declaration");

  await typeInto(frame, "#v2k-opt-sync-jobs", "0");
  await frame.waitForSelector(".v2k-opt-error", { timeout: 10_000 });
  assert.equal(
    await frame.$eval("#v2k-step-options-save", (b) => (b as HTMLButtonElement).disabled),
    true,
    "a refused value cannot be saved",
  );
  await typeInto(frame, "#v2k-opt-sync-jobs", "16");
  await typeInto(frame, "#v2k-opt-sync-bwlimit", "50");
  await frame.waitForFunction(() => document.querySelector(".v2k-opt-error") === null, { timeout: 10_000 });
  await frame.click("#v2k-step-options-verify button");
  await frame.waitForSelector("#v2k-opt-verify-mode", { visible: true, timeout: 10_000 });
  await frame.select("#v2k-opt-verify-mode", "full");
  await cockpit.screenshot(page, "step-options");
  await frame.click("#v2k-step-options-save");

  const summary = await frame.waitForSelector("#v2k-step-options-summary", { timeout: 10_000 });
  const text = await summary!.evaluate((e) => e.textContent ?? "");
  assert.match(text, /sync: --jobs 16 --bwlimit 50/);
  assert.match(text, /verify: --mode full/);

  // the next incremental sync, started from the page through the job service
  await frame.click("#v2k-action-sync-incr");
  await frame.waitForSelector("#v2k-password-dialog-password", { timeout: 30_000 });
  await frame.type("#v2k-password-dialog-password", "not-the-password");
  await frame.click("#v2k-password-dialog-confirm");
  const op = join(workdir, "operation.json");
  const until = Date.now() + 60_000;
  while (!existsSync(op) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  const record = JSON.parse(readFileSync(op, "utf8")) as { argv?: string[] };
  const argv = (record.argv ?? []).join(" ");
  assert.match(argv, /sync incr --jobs 16 --bwlimit 50/, argv);
  assert.ok(!argv.includes("not-the-password"), "the password travels on stdin");
  await page.close();
});
