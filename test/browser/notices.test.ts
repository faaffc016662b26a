// A long step that ends while the admin looks elsewhere: inside the real Cockpit shell, the page shows a
// toast (what ended, how, a link to the migration) and the shell's menu shows the page's status icon
// beside "VMware migration", which stays while the admin visits another Cockpit page and goes when
// the toast is closed. The step's operation.json and manifest are written as the job service and the
// helper write them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Page } from "puppeteer-core";
import { frameOf, startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest, syncedRound } from "../unit/page/fixtures";

let cockpit: CockpitSession;
let root: string;
let workdir: string;
const RUN = "20260101-000000-notice";
const started = { command: "sync incr", pid: process.pid, startedAt: new Date().toISOString() };

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-notices-"));
  workdir = join(root, "web01", RUN);
  mkdirSync(workdir, { recursive: true });
  writeFileSync(
    join(workdir, "manifest.json"),
    JSON.stringify(sampleManifest({ runId: RUN, phase: "base-synced", rounds: [syncedRound(0, "base", 1000, 500)] })),
  );
  writeFileSync(join(workdir, "events.log"), "");
  writeFileSync(join(workdir, "operation.json"), JSON.stringify(started));
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The shell's status icons in its navigation menu, by id ("<label words>-<type>"). */
const navStatus = (page: Page) => page.$$eval(".nav-item-status", (els) => els.map((e) => e.id));

test("a step that fails while open: a toast with the error's hint, the shell's menu marks the page, closing clears it", async () => {
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(workdir)}`, { waitUntil: "domcontentloaded" });
  const frame = await frameOf(page, "/ablestack-v2k/index.html");
  await frame.waitForSelector("#v2k-cancel, [id^='v2k-running'], .v2k-running", { timeout: 60_000 }).catch(() => undefined);
  await frame.waitForFunction(() => document.body.textContent?.includes("sync incr"), { timeout: 60_000, polling: 200 });
  assert.deepEqual(await navStatus(page), [], "nothing to tell while the step runs");

  // the step ends with TARGET_FULL: the helper records lastError, the job service the exit code
  const lastError = {
    code: "TARGET_FULL" as const,
    message: "no space left on /var/lib/libvirt/images",
    hint: "Free space at the target, then run the step again.",
  };
  writeFileSync(
    join(workdir, "manifest.json"),
    JSON.stringify(
      sampleManifest({
        runId: RUN,
        phase: "base-synced",
        rounds: [syncedRound(0, "base", 1000, 500)],
        lastError,
        updatedAt: new Date().toISOString(),
      }),
    ),
  );
  writeFileSync(join(workdir, "operation.json"), JSON.stringify({ ...started, finishedAt: new Date().toISOString(), exitCode: 1 }));

  const toast = await frame.waitForSelector("#v2k-notices .v2k-notice", { timeout: 60_000 });
  const text = await toast!.evaluate((e) => e.textContent ?? "");
  assert.match(text, /web01: sync incr failed/);
  assert.match(text, /Free space at the target/);
  await page.waitForFunction(() => [...document.querySelectorAll(".nav-item-status")].some((e) => e.id.endsWith("-error")), {
    timeout: 30_000,
    polling: 200,
  });
  assert.ok(
    (await navStatus(page)).some((id) => id.startsWith("vmware-migration") && id.endsWith("-error")),
    (await navStatus(page)).join(","),
  );
  await cockpit.screenshot(page, "notice-failed");

  // another Cockpit page through the menu: the mark stays there
  await (await page.waitForSelector("a[href='/system']", { timeout: 30_000 }))!.click();
  await page.waitForFunction(() => window.location.pathname === "/system", { timeout: 30_000, polling: 200 });
  await frameOf(page, "/system/index.html");
  assert.ok(
    (await navStatus(page)).some((id) => id.endsWith("-error")),
    "the mark stays on another page",
  );

  // back through the menu, close the toast: the mark goes
  await (await page.waitForSelector("a[href='/ablestack-v2k']", { timeout: 30_000 }))!.click();
  const again = await frameOf(page, "/ablestack-v2k/index.html");
  const close = await again.waitForSelector("#v2k-notices .v2k-notice button[aria-label^='Close']", { timeout: 60_000 });
  await close!.click();
  await page.waitForFunction(() => document.querySelectorAll(".nav-item-status").length === 0, { timeout: 30_000, polling: 200 });
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});
