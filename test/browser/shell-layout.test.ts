// The page as an admin sees it: inside the real Cockpit shell (navigation menu, our page in the shell's
// iframe at /ablestack-v2k) and at its bare URL, at 1280x800 and 420 px wide, in English and Korean.
// Every table header, dialog title and button label is measured (no clipped text: scrollWidth <= clientWidth),
// no timeline step title breaks inside a word,
// with the migration's dialogs open too, and the page must not scroll sideways. Screenshots:
// test-artifacts/shell-*.png (a dialog's shows the dialog, whole).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Frame, type Page } from "puppeteer-core";
import { startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest, syncedRound } from "../unit/page/fixtures";

let cockpit: CockpitSession;
let root: string;
let workdir: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-shell-root-"));
  workdir = join(root, "web01", "20260101-000000-aaaaaa");
  mkdirSync(workdir, { recursive: true });
  const MiB = 2 ** 20;
  const manifest = sampleManifest({
    runId: "20260101-000000-aaaaaa",
    phase: "incr-synced",
    rounds: [syncedRound(0, "base", 700 * MiB, 42_000), syncedRound(1, "incr", 96 * MiB, 6_000), syncedRound(2, "incr", 8 * MiB, 900)],
  });
  writeFileSync(join(workdir, "manifest.json"), JSON.stringify(manifest));
  writeFileSync(join(workdir, "events.log"), "");
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Labels whose text is cut: table headers, header text spans, dialog titles and button labels. */
async function clipped(frame: Frame | Page): Promise<string[]> {
  const labels = "th, th .pf-v6-c-table__text, .pf-v6-c-modal-box__title, .pf-v6-c-modal-box__title-text, button, .pf-v6-c-button__text";
  return frame.$$eval(labels, (els) =>
    els
      .filter((e) => (e as HTMLElement).offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className}: "${(e.textContent ?? "").trim()}" ${e.scrollWidth}>${e.clientWidth}`),
  );
}

/** Words of the timeline's step titles that a line break cuts in two: a word drawn on two lines has two boxes. */
async function brokenWords(frame: Frame | Page): Promise<string[]> {
  return frame.$$eval("#v2k-timeline .pf-v6-c-progress-stepper__step-title", (titles) =>
    titles.flatMap((title) => {
      const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
      const broken: string[] = [];
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? "";
        for (const m of text.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index!);
          range.setEnd(node, m.index! + m[0].length);
          const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(`"${m[0]}" in "${(title.textContent ?? "").trim()}"`);
        }
      }
      return broken;
    }),
  );
}

/** Elements wider than the window: a page that scrolls sideways. */
async function sideways(frame: Frame | Page): Promise<string[]> {
  return frame.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll(".pf-v6-c-page__main-container, .pf-v6-c-page__main, main, table, .pf-v6-c-card")]
      .filter((e) => e.getBoundingClientRect().right > width + 1 || e.scrollWidth > e.clientWidth + 1)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}#${e.id}.${e.className.toString().slice(0, 60)} right=${Math.round(e.getBoundingClientRect().right)} ` +
          `scroll=${e.scrollWidth}/${e.clientWidth} window=${width}`,
      );
  });
}

/** Our page inside the shell: the iframe whose document is ablestack-v2k's index.html. */
async function pageFrame(page: Page): Promise<Frame> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const frame = page.frames().find((f) => f.url().includes("/ablestack-v2k/index.html"));
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `the shell never loaded our page; frames: ${page
      .frames()
      .map((f) => f.url())
      .join(", ")}`,
  );
}

async function checkView(frame: Frame | Page, page: Page, name: string, ready: string) {
  await frame.waitForSelector(ready, { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 500)); // fonts and layout settle
  await cockpit.screenshot(page, name);
  assert.deepEqual(await clipped(frame), [], `${name}: clipped labels`);
  assert.deepEqual(await sideways(frame), [], `${name}: scrolls sideways`);
  assert.deepEqual(await brokenWords(frame), [], `${name}: step titles broken inside a word`);
}

/** The dialogs of a migration ready for cutover, each opened from its button: [button id, dialog id]. */
const DIALOGS = [
  ["v2k-action-cutover", "v2k-cutover-dialog"],
  ["v2k-action-schedule-cutover", "v2k-schedule-dialog"],
  ["v2k-action-rollback", "v2k-rollback-dialog"],
  ["v2k-step-options", "v2k-step-options-dialog"],
] as const;

/** Each dialog open: a screenshot of the dialog itself, no clipped title or button label, then closed again. */
async function checkDialogs(frame: Frame, page: Page, name: string) {
  for (const [button, dialog] of DIALOGS) {
    await frame.click(`#${button}`);
    const box = await frame.waitForSelector(`#${dialog}`, { visible: true, timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 300)); // the modal's fade-in
    const png = await cockpit.screenshot(page, `${name}-${dialog.replace(/^v2k-|-dialog$/g, "")}`);
    const shown = pngSize(png);
    const modal = (await box!.boundingBox())!;
    // the modal and its padding; taller when a body that scrolls was grown to show it whole
    assert.ok(
      Math.abs(shown.width - modal.width) <= 20 && shown.height >= modal.height,
      `${name} ${dialog}: the screenshot (${shown.width}x${shown.height}) is not the dialog (${modal.width}x${modal.height})`,
    );
    assert.deepEqual(await clipped(frame), [], `${name} ${dialog}: clipped labels`);
    await frame.click(`#${dialog} .pf-v6-c-modal-box__close button`);
    await frame.waitForSelector(`#${dialog}`, { hidden: true, timeout: 10_000 });
  }
}

/** A PNG's size, read from its header. */
function pngSize(png: string): { width: number; height: number } {
  const head = readFileSync(png);
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

for (const lang of ["en", "ko"] as const) {
  for (const [width, height] of [
    [1280, 800],
    [420, 800],
  ] as const) {
    test(`in the Cockpit shell, ${lang}, ${width} px: list and migration page without clipped text`, async () => {
      const page = await cockpit.open(lang, width, height);
      await page.goto(`${cockpit.base}/ablestack-v2k`, { waitUntil: "domcontentloaded" });
      if (width >= 1280) {
        // the shell's navigation menu lists our page beside Cockpit's own
        await page.waitForSelector("#host-apps a[href*='ablestack-v2k']", { timeout: 30_000 });
      }
      const frame = await pageFrame(page);
      await checkView(frame, page, `shell-list-${lang}-${width}`, "#v2k-migrations .v2k-migration-row");
      await frame.click("#v2k-migrations .v2k-migration-row button");
      await checkView(frame, page, `shell-migration-${lang}-${width}`, "#v2k-convergence");
      await checkDialogs(frame, page, `shell-dialog-${lang}-${width}`);
      assert.match(page.url(), /\/ablestack-v2k#\/migration\?workdir=/, "the shell's URL follows the page's router");
      assert.deepEqual(page.v2kErrors, []);
      await page.close();
    });

    test(`bare URL, ${lang}, ${width} px: list and migration page without clipped text`, async () => {
      const page = await cockpit.open(lang, width, height);
      await checkView(page, page, `bare-list-${lang}-${width}`, "#v2k-migrations .v2k-migration-row");
      await page.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
      await checkView(page, page, `bare-migration-${lang}-${width}`, "#v2k-convergence");
      await page.close();
    });
  }
}

test("the convergence chart: linear bars, labels at their real size, both series with an axis", async () => {
  const page = await cockpit.open("en", 1280, 800);
  await page.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
  await page.waitForSelector("#v2k-convergence .v2k-bar rect");
  const bars = await page.$$eval("#v2k-convergence .v2k-bar rect", (rs) => rs.map((r) => r.getBoundingClientRect().height));
  assert.equal(bars.length, 2);
  const ratio = bars[1]! / bars[0]!; // 8 MiB against 96 MiB: a linear scale shows about 1/12
  assert.ok(Math.abs(ratio - 8 / 96) < 0.02, `bar heights ${bars.join(", ")} are not proportional to the bytes`);
  const fontPx = await page.$$eval("#v2k-convergence .v2k-tick", (ts) => Math.min(...ts.map((t) => t.getBoundingClientRect().height)));
  assert.ok(fontPx >= 11, `tick labels are ${fontPx} px tall on screen`);
  assert.ok((await page.$$("#v2k-convergence .v2k-tick-bytes")).length >= 2, "no bytes axis");
  assert.ok((await page.$$("#v2k-convergence .v2k-tick-seconds")).length >= 2, "no sync time axis");
  await page.close();
});

test("a disk with nothing changed shows that in words, not an empty 0% bar", async () => {
  const page = await cockpit.open("en", 1280, 800);
  await page.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
  await page.waitForSelector("#v2k-disks");
  appendFileSync(
    join(workdir, "events.log"),
    JSON.stringify({
      ts: new Date().toISOString(),
      seq: 1,
      step: "sync incr",
      type: "progress",
      disk: 2000,
      bytes: 0,
      total: 0,
      rateBps: 0,
    }) + "\n",
  );
  await page.waitForSelector("#v2k-disks .v2k-disk-unchanged", { timeout: 15_000 });
  assert.equal((await page.$$("#v2k-disks .v2k-disk-progress")).length, 0);
  await page.close();
});
