// The installed page in real Cockpit (cockpit-ws + bridge) and headless Chromium, driving the real
// helper: list and empty state, Korean labels, a helper error with code and hint, live updates of a
// migration page from its workdir files, narrow window and dark theme. Screenshots: test-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Page } from "puppeteer-core";
import { freePort, startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest, syncedRound } from "../unit/page/fixtures";

let cockpit: CockpitSession;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-browser-root-"));
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

async function text(page: Page, selector: string, expected: string | RegExp, timeout = 15_000): Promise<string> {
  const source = expected instanceof RegExp ? expected.source : expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const flags = expected instanceof RegExp ? expected.flags : "";
  try {
    await page.waitForFunction(
      (sel, src, fl) => [...document.querySelectorAll(sel)].some((e) => new RegExp(src, fl).test(e.textContent ?? "")),
      { timeout, polling: 100 },
      selector,
      source,
      flags,
    );
  } catch (e) {
    const seen = await page.$$eval(selector, (els) => els.map((e) => e.textContent).join(" | ")).catch(() => "");
    throw new Error(`${selector} never showed ${String(expected)}; saw: ${seen.slice(0, 500)}`, { cause: e });
  }
  return page.$$eval(selector, (els) => els.map((e) => e.textContent ?? "").join("\n"));
}

test("empty host: the list shows the empty state, which starts the wizard", async () => {
  const page = await cockpit.open("en");
  await text(page, "#v2k-empty", "No migrations yet");
  await cockpit.screenshot(page, "01-empty-list");
  await page.click("#v2k-empty button");
  await text(page, "#v2k-wizard h1", "New migration");
  assert.equal(await page.evaluate(() => window.location.hash), "#/new");
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});

test("Korean: labels follow Cockpit's language", async () => {
  const page = await cockpit.open("ko");
  await text(page, "#v2k-empty", "아직 마이그레이션이 없습니다");
  await text(page, "#v2k-new-migration", "새 마이그레이션");
  await cockpit.screenshot(page, "02-empty-list-ko");
  await page.click("#v2k-new-migration");
  await text(page, "label[for=v2k-vcenter-url]", "vCenter 또는 ESXi 주소");
  await page.close();
});

test("a helper error shows its summary, hint and (on show more) its code; the password stays out of the console", async () => {
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.pageUrl}#/new`);
  const port = await freePort(); // nothing listens there
  const secret = "Browser-Secret-77";
  await page.waitForSelector("#v2k-vcenter-url");
  await page.type("#v2k-vcenter-url", `127.0.0.1:${port}`);
  await page.type("#v2k-vcenter-user", "administrator@vsphere.local");
  await page.type("#v2k-vcenter-password", secret);
  await page.click("#v2k-probe");
  await text(page, ".v2k-error", "The vCenter cannot be reached");
  await text(page, ".v2k-error-hint", /firewall/);
  const code = await page.$eval(".v2k-error", (e) => e.getAttribute("data-error-code"));
  assert.equal(code, "VCENTER_UNREACHABLE");
  await page.click(".v2k-error .pf-v6-c-expandable-section__toggle button");
  await text(page, ".v2k-error-code", "VCENTER_UNREACHABLE");
  await cockpit.screenshot(page, "03-wizard-error");
  assert.ok(!page.v2kConsole.some((l) => l.includes(secret)), "password in the browser console");
  await page.close();
});

test("a migration page follows its workdir live: manifest rounds feed the chart, events.log the log", async () => {
  const workdir = join(root, "web01", "20260101-000000-aaaaaa");
  mkdirSync(workdir, { recursive: true });
  const base = sampleManifest({
    runId: "20260101-000000-aaaaaa",
    phase: "base-synced",
    rounds: [syncedRound(0, "base", 48 * 2 ** 20, 4000)],
  });
  writeFileSync(join(workdir, "manifest.json"), JSON.stringify(base));
  writeFileSync(join(workdir, "events.log"), "");
  mkdirSync(join(root, "broken", "r1"), { recursive: true });
  writeFileSync(join(root, "broken", "r1", "manifest.json"), "{ not json");

  const page = await cockpit.open("en");
  await text(page, "#v2k-migrations .v2k-migration-row", "web01");
  await text(page, ".pf-v6-c-alert", /1 workdirs could not be read/);
  await cockpit.screenshot(page, "04-list");
  await page.click("#v2k-migrations .v2k-migration-row button");
  await text(page, "#v2k-phase", "Base copied");
  assert.equal(await page.$eval("#v2k-step-incr", (e) => e.getAttribute("data-status")), "current");
  await text(page, "#v2k-action-sync-incr", "Sync changes");

  // The helper appends events and rewrites the manifest; the page shows both without reloading.
  const ev = (seq: number, body: Record<string, unknown>) =>
    JSON.stringify({ ts: new Date().toISOString(), seq, step: "sync incr", ...body }) + "\n";
  appendFileSync(
    join(workdir, "events.log"),
    ev(1, { type: "log", level: "info", message: "round 1: 3 changed areas" }) +
      ev(2, { type: "progress", disk: 2000, bytes: 2 ** 20, total: 4 * 2 ** 20, rateBps: 2 ** 20, etaSec: 3 }),
  );
  await text(page, "#v2k-events", "round 1: 3 changed areas");
  await text(page, "#v2k-disks .v2k-disk-progress", /1\.00 MiB \/ 4\.00 MiB/);
  const withRound = { ...base, phase: "incr-synced", rounds: [...base.rounds, syncedRound(1, "incr", 3 * 2 ** 20, 900)] };
  writeFileSync(join(workdir, "manifest.json.tmp"), JSON.stringify(withRound));
  const { renameSync } = await import("node:fs");
  renameSync(join(workdir, "manifest.json.tmp"), join(workdir, "manifest.json"));
  appendFileSync(
    join(workdir, "events.log"),
    ev(3, { type: "round", round: 1, kind: "incr", changedBytes: 3 * 2 ** 20, copiedBytes: 3 * 2 ** 20, durationMs: 900 }),
  );
  await text(page, "#v2k-phase", "Changes synced");
  await text(page, "#v2k-rounds .v2k-round[data-round='1']", /3\.00 MiB/);
  assert.equal(await page.$$eval("#v2k-convergence .v2k-bar", (b) => b.length), 1);
  await text(page, "#v2k-ready", "Ready for cutover");
  // The round event reaches the page through its own file watch, independently of the manifest's.
  await page
    .waitForFunction(() => document.querySelectorAll("#v2k-disks .v2k-disk-progress").length === 0, { timeout: 15_000 })
    .catch(() => assert.fail("progress bars end with the round"));
  await cockpit.screenshot(page, "05-migration-live");

  // Narrow window and dark theme stay usable.
  await page.setViewport({ width: 420, height: 900 });
  await cockpit.screenshot(page, "06-migration-narrow");
  await page.evaluate(() => {
    localStorage.setItem("shell:style", "dark");
    window.dispatchEvent(new Event("cockpit-style"));
  });
  assert.equal(await page.evaluate(() => document.documentElement.classList.contains("pf-v6-theme-dark")), true);
  await page.setViewport({ width: 1280, height: 720 });
  await cockpit.screenshot(page, "07-migration-dark");
  assert.deepEqual(page.v2kErrors, []);
  await page.close();

  const ko = await cockpit.open("ko");
  await ko.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
  await text(ko, "#v2k-phase", "변경 내용 동기화됨");
  await text(ko, "#v2k-action-cutover", "컷오버");
  await text(ko, "#v2k-ready", "컷오버 준비됨");
  await cockpit.screenshot(ko, "08-migration-ko");
  await ko.close();
  rmSync(join(root, "web01"), { recursive: true, force: true });
  rmSync(join(root, "broken"), { recursive: true, force: true });
});
