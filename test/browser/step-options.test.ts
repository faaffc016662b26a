// The runbook's options from the page, inside the Cockpit shell: "Step options" offers each step's
// options from the helper's declarations, refuses what the helper would refuse, shows what is set, the
// helper records them in the manifest (a fresh page sees them), and the next step's real command line
// (the job service's operation.json) carries them. The KVM domain's firmware: "Automatic" names the VMware VM's,
// another choice shows why the guest may not boot, and the cutover's command line carries the choice.
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
let sharedWorkdir: string;
let uefiWorkdir: string;
const RUN = "20260101-000000-options";

function baseSyncedWorkdir(vm: string, runId: string, firmware: { firmware?: "bios" | "efi"; secureBoot?: boolean } = {}): string {
  const dir = join(root, vm, runId);
  mkdirSync(dir, { recursive: true });
  const manifest = sampleManifest({ runId, phase: "base-synced", rounds: [syncedRound(0, "base", 1000, 500)] });
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...manifest, vm: { ...manifest.vm, name: vm, ...firmware } }));
  writeFileSync(join(dir, "events.log"), "");
  return dir;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-step-options-"));
  workdir = baseSyncedWorkdir("web01", RUN);
  sharedWorkdir = baseSyncedWorkdir("web02", "20260101-000000-shared");
  uefiWorkdir = baseSyncedWorkdir("uefi01", "20260101-000000-firmware", { firmware: "efi", secureBoot: false });
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

async function openMigration(dir: string): Promise<{ page: Awaited<ReturnType<CockpitSession["open"]>>; frame: Frame }> {
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(dir)}`, { waitUntil: "domcontentloaded" });
  return { page, frame: await frameOf(page, "/ablestack-v2k/index.html") };
}

/** Selects the field's whole text (a triple click's selection could come late under load), then deletes it. */
async function clearField(frame: Frame, selector: string): Promise<void> {
  await frame.focus(selector);
  await frame.$eval(selector, (e) => (e as HTMLInputElement).select());
  await frame.page().keyboard.press("Backspace");
  await frame.waitForFunction(
    (sel: string) => (document.querySelector(sel) as HTMLInputElement | null)?.value === "",
    { timeout: 10_000 },
    selector,
  );
}

async function typeInto(frame: Frame, selector: string, text: string): Promise<void> {
  await clearField(frame, selector);
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
  await frame.waitForFunction(() => (document.querySelector("#v2k-step-options-summary")?.textContent ?? "").includes("verify:"), {
    timeout: 30_000,
  });
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

test("step options are the migration's: recorded in the manifest, a fresh page shows and edits them", async () => {
  const first = await openMigration(sharedWorkdir);
  await (await first.frame.waitForSelector("#v2k-step-options", { timeout: 60_000 }))!.click();
  await first.frame.waitForSelector("#v2k-opt-sync-jobs", { timeout: 30_000 });
  await first.frame.click("#v2k-step-options-auto-sync button");
  await first.frame.waitForSelector("#v2k-opt-auto-sync-interval", { visible: true, timeout: 10_000 });
  await typeInto(first.frame, "#v2k-opt-auto-sync-interval", "30");
  await typeInto(first.frame, "#v2k-opt-auto-sync-cutover-when", "bytes<64M,seconds<60");
  await first.frame.click("#v2k-step-options-save");
  await first.frame.waitForSelector("#v2k-step-options-dialog", { hidden: true, timeout: 30_000 });
  const recorded = JSON.parse(readFileSync(join(sharedWorkdir, "manifest.json"), "utf8")) as { stepOptions?: unknown };
  assert.deepEqual(recorded.stepOptions, { "auto-sync": { interval: "30", "cutover-when": "bytes<64M,seconds<60" } });
  assert.deepEqual(first.page.v2kErrors, [], "typing a criterion part by part is validated, not a crash");
  await first.page.close();

  // another browser tab: a new page session with nothing in memory
  const fresh = await openMigration(sharedWorkdir);
  const summary = await fresh.frame.waitForSelector("#v2k-step-options-summary", { timeout: 60_000 });
  assert.match(await summary!.evaluate((e) => e.textContent ?? ""), /auto-sync: --interval 30 --cutover-when bytes<67108864,seconds<60/);
  await fresh.frame.click("#v2k-step-options");
  await fresh.frame.click("#v2k-step-options-auto-sync button");
  await fresh.frame.waitForSelector("#v2k-opt-auto-sync-interval", { visible: true, timeout: 10_000 });
  assert.equal(await fresh.frame.$eval("#v2k-opt-auto-sync-interval", (e) => (e as HTMLInputElement).value), "30");
  // emptied there, gone for everyone
  await clearField(fresh.frame, "#v2k-opt-auto-sync-interval");
  await fresh.frame.click("#v2k-step-options-save");
  await fresh.frame.waitForFunction(
    () => !(document.querySelector("#v2k-step-options-summary")?.textContent ?? "").includes("--interval"),
    { timeout: 30_000, polling: 250 },
  );
  const after = JSON.parse(readFileSync(join(sharedWorkdir, "manifest.json"), "utf8")) as { stepOptions?: unknown };
  assert.deepEqual(after.stepOptions, { "auto-sync": { "cutover-when": "bytes<64M,seconds<60" } });
  await fresh.page.close();
});

test("firmware: Automatic names the VMware VM's, a changed choice warns beside the field, the cutover's argv carries it", async () => {
  const { page, frame } = await openMigration(uefiWorkdir);
  await (await frame.waitForSelector("#v2k-step-options", { timeout: 60_000 }))!.click();
  await frame.waitForSelector("#v2k-step-options-dialog", { timeout: 30_000 });
  await frame.click("#v2k-step-options-cutover button");
  const field = "#v2k-opt-cutover-firmware";
  await frame.waitForSelector(field, { visible: true, timeout: 10_000 });
  const selected = () => frame.$eval(field, (e) => (e as HTMLSelectElement).selectedOptions[0]?.textContent ?? "");
  assert.equal(await selected(), "Automatic (UEFI, secure boot off)", "the detected firmware is the default");
  const warning = () => frame.$$eval(".v2k-opt-warning", (els) => els.map((e) => e.textContent ?? "").join(" "));
  assert.equal(await warning(), "", "no warning while the VMware VM's firmware is kept");

  await frame.select(field, "efi");
  assert.equal(await warning(), "", "efi is this VM's firmware: no change");
  await frame.select(field, "efi-secure");
  await frame.waitForSelector(".v2k-opt-warning", { timeout: 10_000 });
  assert.match(await warning(), /boots without secure boot: with secure boot only signed boot loaders/);
  await frame.$eval(field, (e) => e.scrollIntoView({ block: "center" }));
  await cockpit.screenshot(page, "step-options-firmware");
  await frame.click("#v2k-step-options-save");
  await frame.waitForSelector("#v2k-step-options-dialog", { hidden: true, timeout: 30_000 });

  const recorded = JSON.parse(readFileSync(join(uefiWorkdir, "manifest.json"), "utf8")) as { stepOptions?: unknown };
  assert.deepEqual(recorded.stepOptions, { cutover: { firmware: "efi-secure" } });
  await frame.waitForFunction(
    () => (document.querySelector("#v2k-step-options-summary")?.textContent ?? "").includes("cutover: --firmware efi-secure"),
    { timeout: 30_000, polling: 250 },
  );
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});
