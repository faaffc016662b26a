// Misleading states, seen in the page: a migration rolled back and then cleaned up must not look successful,
// a cancelled round is "cancelled" on the rounds (not a failed cutover), a failed start is marked on Start, a
// scheduled cutover that has begun is not offered as a schedule to call off.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Page } from "puppeteer-core";
import { execa } from "execa";
import { startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest, syncedRound } from "../unit/page/fixtures";

let cockpit: CockpitSession;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-states-root-"));
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

const rounds = [syncedRound(0, "base", 48 * 2 ** 20, 4000), syncedRound(1, "incr", 2 ** 20, 900)];
const cutover = { shutdownMode: "guest" as const, requestedAt: "2026-01-01T01:00:00.000Z", definedAt: "2026-01-01T01:05:00.000Z" };
const verified = [{ mode: "quick" as const, at: "2026-01-01T01:06:00.000Z", ok: true, mismatches: [] }];

function workdirWith(name: string, manifest: ReturnType<typeof sampleManifest>): string {
  const workdir = join(root, name, manifest.runId);
  mkdirSync(workdir, { recursive: true });
  writeFileSync(join(workdir, "manifest.json"), JSON.stringify(manifest));
  writeFileSync(join(workdir, "events.log"), "");
  return workdir;
}

async function steps(page: Page, workdir: string): Promise<Record<string, string>> {
  await page.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
  await page.waitForSelector("#v2k-timeline [data-status]");
  return page.$$eval("#v2k-timeline [data-status]", (els) =>
    Object.fromEntries(els.map((e) => [e.id.replace("v2k-step-", ""), e.getAttribute("data-status") ?? ""])),
  );
}

test("rolled back, then cleaned up: the cutover reads 'Rolled back', later steps 'Skipped', never all green", async () => {
  const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const workdir = workdirWith("rolled", sampleManifest({ runId: "r-rolled", phase: "cleaned", rounds, cutover, rollback }));
  const page = await cockpit.open("en");
  const status = await steps(page, workdir);
  assert.equal(status.cutover, "rolled-back");
  assert.equal(status.start, "skipped");
  assert.equal(status.cleanup, "done");
  assert.match(await page.$eval("#v2k-step-cutover", (e) => e.textContent ?? ""), /Rolled back/);
  assert.ok(await page.$("#v2k-rolled-back"), "the header says rolled back beside 'Cleaned up'");
  await cockpit.screenshot(page, "states-rolled-back-cleaned");
  await page.close();
});

test("a cancelled round is cancelled on the rounds step; a failed start is failed on Start, not on Cleanup", async () => {
  const cancelled = workdirWith(
    "cancelled",
    sampleManifest({
      runId: "r-cancelled",
      phase: "incr-synced",
      rounds: [...rounds, { ...syncedRound(2, "incr", 0, 0), status: "failed" }],
      lastError: { code: "CANCELLED", message: "m", hint: "h" },
    }),
  );
  const startFailed = workdirWith(
    "startfail",
    sampleManifest({
      runId: "r-start",
      phase: "defined",
      rounds,
      cutover,
      verify: verified,
      lastError: { code: "VIRSH_FAILED", message: "virsh start failed", hint: "h" },
    }),
  );
  const page = await cockpit.open("ko");
  const c = await steps(page, cancelled);
  assert.equal(c.incr, "cancelled");
  assert.equal(c.cutover, "pending");
  assert.match(await page.$eval("#v2k-step-incr", (e) => e.textContent ?? ""), /취소됨/);
  assert.ok(await page.$("#v2k-cancelled-note"), "a cancelled step reads as cancelled");
  assert.equal(await page.$("[data-error-code='CANCELLED']"), null, "not as a failure");
  const s = await steps(page, startFailed);
  assert.equal(s.start, "failed");
  assert.equal(s.cleanup, "pending");
  await cockpit.screenshot(page, "states-start-failed-ko");
  await page.close();
});

test("after a rollback, the failed command's 'exit code' banner is gone", async () => {
  const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const workdir = workdirWith(
    "stale",
    sampleManifest({ runId: "r-stale", phase: "rolled-back", rounds, cutover, rollback, updatedAt: "2026-01-01T02:00:01.000Z" }),
  );
  // the start that failed before the rollback, as the job service left it
  writeFileSync(
    join(workdir, "operation.json"),
    JSON.stringify({
      command: "start",
      pid: 999_999,
      startedAt: "2026-01-01T01:10:00.000Z",
      finishedAt: "2026-01-01T01:10:05.000Z",
      exitCode: 1,
    }),
  );
  const page = await cockpit.open("en");
  const status = await steps(page, workdir);
  assert.equal(status.cutover, "rolled-back");
  await new Promise((r) => setTimeout(r, 1500)); // the operation watch has answered by now
  assert.equal(await page.$("[data-error-code='PROCESS_FAILED']"), null, "stale 'helper process failed' banner");
  await page.close();
});

test("the cutover dialog estimates the downtime from the last incremental rounds", async () => {
  // base 4 s; incremental rounds of 3, 5 and 7 s copying 1, 2 and 3 MiB: about 5 s at 0.4 MiB/s
  const incr = [
    syncedRound(1, "incr", 2 ** 20, 3000),
    syncedRound(2, "incr", 2 * 2 ** 20, 5000),
    syncedRound(3, "incr", 3 * 2 ** 20, 7000),
  ];
  const workdir = workdirWith("estimate", sampleManifest({ runId: "r-estimate", phase: "incr-synced", rounds: [rounds[0]!, ...incr] }));
  const fresh = workdirWith("noestimate", sampleManifest({ runId: "r-noestimate", phase: "base-synced", rounds: [rounds[0]!] }));
  const page = await cockpit.open("en");
  await steps(page, workdir);
  await page.click("#v2k-action-cutover");
  const note = await page.waitForSelector("#v2k-cutover-downtime", { timeout: 30_000 });
  assert.equal(await note!.evaluate((e) => e.getAttribute("data-ms")), "5000");
  assert.match(await note!.evaluate((e) => e.textContent ?? ""), /about 5\.0 s .*last 3 rounds.*410 KiB\/s/);
  await cockpit.screenshot(page, "states-cutover-estimate");
  await steps(page, fresh);
  await page.waitForSelector("#v2k-action-cutover");
  await page.click("#v2k-action-cutover");
  const none = await page.waitForSelector("#v2k-cutover-downtime", { timeout: 30_000 });
  assert.match(await none!.evaluate((e) => e.textContent ?? ""), /unknown until an incremental round/);
  await page.close();
});

test("a migration's report exports as JSON (the manifest) and as a readable summary", async () => {
  const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const m = sampleManifest({ runId: "r-report", phase: "rolled-back", rounds, cutover: { ...cutover, downtimeMs: 65_000 }, rollback });
  const workdir = workdirWith("report", m);
  const downloads = mkdtempSync(join(tmpdir(), "v2k-downloads-"));
  const session = await cockpit.browser.target().createCDPSession();
  await session.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  const page = await cockpit.open("en");
  await steps(page, workdir);
  const base = `ablestack-v2k-${m.vm.name}-r-report`;
  const file = async (name: string) => {
    const until = Date.now() + 30_000;
    while (!existsSync(join(downloads, name)) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    return readFileSync(join(downloads, name), "utf8");
  };
  await page.click("#v2k-export-json");
  const json = JSON.parse(await file(`${base}.json`)) as { workdir: string; manifest: unknown };
  assert.equal(json.workdir, workdir);
  assert.deepEqual(json.manifest, m);
  await page.click("#v2k-export-summary");
  const text = await file(`${base}.txt`);
  assert.match(text, new RegExp(`VM +${m.vm.name} `));
  assert.match(text, /#0 base +synced +changed 48\.0 MiB/);
  assert.match(text, /Downtime +1 min 5 s/);
  assert.match(text, /Rolled back +2026-01-01T02:00:00\.000Z, source powered on: true/);
  await page.close();
  await session.detach();
  rmSync(downloads, { recursive: true, force: true });
});

test("dates follow the page's language, not the browser's: Korean dates in a Korean page", async () => {
  const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const workdir = workdirWith("kodates", sampleManifest({ runId: "r-kodates", phase: "rolled-back", rounds, cutover, rollback }));
  const expected = (lang: string) => new Date(rollback.at).toLocaleString(lang);
  assert.notEqual(expected("ko-KR"), expected("en-US"));
  for (const [lang, locale] of [
    ["ko", "ko-KR"],
    ["en", "en"],
  ] as const) {
    const page = await cockpit.open(lang);
    await steps(page, workdir);
    const text = await page.$eval("#v2k-rollback-done", (e) => e.textContent ?? "");
    const shown = await page.evaluate((at, l) => new Date(at).toLocaleString(l), rollback.at, locale);
    assert.ok(text.includes(shown), `${lang}: ${text} lacks ${shown}`);
    if (lang === "ko") assert.match(text, /오전|오후/);
    await page.close();
  }
});

test("a scheduled cutover that has begun: the banner says it is running, and nothing promises to call it off", async (t) => {
  const at = new Date(Date.now() - 60_000).toISOString(); // the window opened a minute ago
  const workdir = workdirWith(
    "begun",
    sampleManifest({ runId: "r-begun", phase: "cutover-running", rounds, cutover: { shutdownMode: "poweroff", requestedAt: at } }),
  );
  // the run the job service started from the page, still running (a live process stands for it)
  const job = execa("sleep", ["600"], { reject: false, stdin: "ignore" });
  t.after(() => void job.kill("SIGKILL"));
  writeFileSync(
    join(workdir, "operation.json"),
    JSON.stringify({
      command: "run",
      pid: job.pid,
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      argv: ["run", "--until", "cutover", "--cutover-at", at, "--shutdown", "poweroff", "--define-only"],
    }),
  );
  for (const lang of ["en", "ko"] as const) {
    const page = await cockpit.open(lang);
    await steps(page, workdir);
    const banner = await page.waitForSelector("#v2k-schedule[data-begun='true']", { timeout: 30_000 });
    assert.equal(await banner!.evaluate((e) => e.getAttribute("data-at")), at);
    const text = await banner!.evaluate((e) => e.textContent ?? "");
    if (lang === "en") assert.match(text, /The cutover scheduled for .* is running/);
    else assert.doesNotMatch(text, /The cutover scheduled/, "translated");
    assert.equal(await page.$("#v2k-schedule-cancel"), null, "no 'Cancel the schedule' once the cutover runs");
    // cancelling the job now stops a running cutover: the dialog must not say the VMware VM keeps running
    await page.click("#v2k-cancel");
    await page.waitForSelector("#v2k-cancel-dialog #v2k-cancel-schedule-begun", { timeout: 10_000 });
    assert.equal(await page.$("#v2k-cancel-schedule"), null);
    await cockpit.screenshot(page, `states-schedule-begun-${lang}`);
    await page.close();
  }
  assert.equal(job.exitCode, null, "nothing was cancelled");
});
