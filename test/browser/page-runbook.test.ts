// Runbook steps from the page, inside the Cockpit shell, against the lab (one lab, one migration of boot01).
// A cutover scheduled from the page: boot01's base copied by the CLI, the
// admin in Seoul picks a time a few minutes ahead in the local time the dialog names (a past time is refused on the
// page), the job service runs the helper's `run --until cutover --cutover-at` with that moment's offset and the
// recorded step options (Verify's mode and samples as run's --verify and --verify-samples), the page shows for when and incremental rounds running, and cancelling the schedule stops
// the job before any cutover: the VMware VM is never touched. Then CBT status on demand: tracking on the disk, and
// after a CBT reset in vSphere the page says the next round copies the disk in full.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Frame } from "puppeteer-core";
import { exec } from "../../src/kit/exec";
import { frameOf, startCockpit, type CockpitSession } from "../support/cockpit";
import { startTestLab, type TestLab } from "../support/lab";
import { type LibvirtdHandle, startLibvirtd } from "../support/libvirtd";

const HELPER = resolve("dist/ablestack_v2k");
let cockpit: CockpitSession;
let lab: TestLab;
let lv: LibvirtdHandle;
let root: string;
let workdir = ""; // the migration the tests share, made by the first

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-schedule-root-"));
  lv = await startLibvirtd(); // the run resolves the domain type through libvirt before its rounds
  lab = await startTestLab({ scenario: "minimal" });
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await lv?.release();
  await cockpit?.close();
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function helper(args: string[], vcenter = true): Promise<{ workdir: string }> {
  const conn = vcenter ? ["--vcenter", lab.url, "--username", lab.username, "--thumbprint", lab.thumbprint, "--password-stdin"] : [];
  const r = await exec(HELPER, ["--json", ...args, ...conn], {
    timeoutMs: 300_000,
    input: lab.password + "\n",
    env: { ...(process.env as Record<string, string>), V2K_STATE_DIR: root },
  });
  return (JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { data: { workdir: string } }).data;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

/** Sets the datetime-local field the way typing does (React sees an input event). */
async function setTime(frame: Frame, value: string): Promise<void> {
  await frame.$eval(
    "#v2k-schedule-at",
    (el, v) => {
      const input = el as HTMLInputElement;
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, v);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    },
    value,
  );
}

/** Seoul's wall clock `minutes` from now, as the input holds it. */
function seoulInput(minutes: number): string {
  return new Date(Date.now() + 9 * 3_600_000 + minutes * 60_000).toISOString().slice(0, 16);
}

test("Schedule cutover: the local time with its zone, the helper's run waiting for it with rounds, cancelled before it", async () => {
  const dst = join(root, "images");
  mkdirSync(dst);
  ({ workdir } = await helper(["init", "--vm", "boot01", "--dst", dst]));
  await helper(["--workdir", workdir, "cbt", "enable"]);
  await helper(["--workdir", workdir, "sync", "base"]);
  // recorded like the page's Step options: quick rounds, no conversion (boot01 has no OS virt-v2v converts)
  await helper(["--workdir", workdir, "step-options", "auto-sync", "--set", "interval=2"], false);
  await helper(["--workdir", workdir, "step-options", "cutover", "--set", "convert=none", "--set", "domain-type=qemu"], false);
  await helper(["--workdir", workdir, "step-options", "verify", "--set", "mode=full", "--set", "samples=8"], false);

  const page = await cockpit.open("en");
  await page.emulateTimezone("Asia/Seoul");
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(workdir)}`, { waitUntil: "domcontentloaded" });
  const frame = await frameOf(page, "/ablestack-v2k/index.html");
  await (await frame.waitForSelector("#v2k-action-schedule-cutover:not([disabled])", { timeout: 60_000 }))!.click();
  await frame.waitForSelector("#v2k-schedule-dialog #v2k-schedule-at", { timeout: 30_000 });
  const label = await frame.$eval("#v2k-schedule-dialog label[for='v2k-schedule-at']", (e) => e.textContent ?? "");
  assert.match(label, /Cutover time \(Asia\/Seoul, UTC\+09:00\)/, "the dialog names the admin's zone");
  await frame.type("#v2k-schedule-dialog-password", lab.password);
  const check = await frame.$eval("#v2k-schedule-check", (e) => e.getAttribute("data-check"));
  assert.equal(check, "full", "the dialog names the check recorded for Verify");

  // a time already past in Seoul is refused on the page, before the helper would refuse it
  await setTime(frame, seoulInput(-5));
  await frame.waitForFunction(() => (document.querySelector("#v2k-schedule-at-help")?.textContent ?? "").includes("has passed"));
  assert.equal(await frame.$eval("#v2k-schedule-dialog-confirm", (b) => (b as HTMLButtonElement).disabled), true);

  const local = seoulInput(4);
  await setTime(frame, local);
  await frame.waitForFunction(() => !(document.querySelector("#v2k-schedule-at-help")?.textContent ?? "").includes("has passed"));
  await frame.waitForSelector("#v2k-schedule-dialog-confirm:not([disabled])");
  await new Promise((r) => setTimeout(r, 400)); // PatternFly's colour transition from the disabled style
  await cockpit.screenshot(page, "page-runbook-schedule-dialog");
  await frame.click("#v2k-schedule-dialog-confirm");

  // shown for when, from the running job
  const banner = await frame.waitForSelector("#v2k-schedule", { timeout: 60_000 });
  const at = await banner!.evaluate((e) => e.getAttribute("data-at") ?? "");
  assert.equal(at, new Date(`${local}:00+09:00`).toISOString(), "the moment the admin chose in Seoul");
  assert.match(await banner!.evaluate((e) => e.textContent ?? ""), /Cutover scheduled for .*\(Asia\/Seoul, UTC\+09:00\)/);
  const argv = ((readJson(join(workdir, "operation.json")).argv as string[]) ?? []).join(" ");
  assert.match(argv, new RegExp(`run --until cutover --cutover-at ${local}:00\\+09:00( --shutdown \\w+)? --define-only`), argv);
  assert.match(argv, /--interval 2 .*--convert none --domain-type qemu/, "the rounds' and the cutover's step options");
  assert.match(argv, /--verify full --verify-samples 8/, "verify's recorded mode and samples, as run's");
  assert.ok(!argv.includes(lab.password), "the password travels on stdin");

  // incremental rounds run while it waits
  await frame.waitForFunction(() => /Rounds: [1-9]/.test(document.querySelector("#v2k-step-incr")?.textContent ?? ""), {
    timeout: 120_000,
    polling: 500,
  });
  await cockpit.screenshot(page, "page-runbook-schedule-waiting");

  await frame.click("#v2k-schedule-cancel");
  const note = await frame.waitForSelector("#v2k-cancel-dialog #v2k-cancel-schedule", { timeout: 10_000 });
  assert.match(await note!.evaluate((e) => e.textContent ?? ""), /will not happen; the VMware VM keeps running/);
  await frame.click("#v2k-cancel-confirm");
  await frame.waitForSelector("#v2k-schedule", { hidden: true, timeout: 60_000 });
  await frame.waitForFunction(() => document.querySelector("#v2k-migration")?.getAttribute("data-running") === "false", {
    timeout: 60_000,
  });
  assert.ok(Date.now() < Date.parse(at), "cancelled before the scheduled time");
  const op = readJson(join(workdir, "operation.json"));
  assert.equal(op.cancelled, true);
  const manifest = readJson(join(workdir, "manifest.json"));
  assert.equal(manifest.cutover, undefined, "no cutover began: the VMware VM was not shut down");
  assert.ok((manifest.rounds as { kind: string; status: string }[]).some((r) => r.kind === "incr" && r.status === "synced"));
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});

test("CBT status on demand: each disk tracking, then reset after a CBT reset in vSphere", async () => {
  assert.ok(workdir, "the migration of the first test");
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(workdir)}`, { waitUntil: "domcontentloaded" });
  const frame = await frameOf(page, "/ablestack-v2k/index.html");
  await (await frame.waitForSelector("#v2k-cbt-check", { timeout: 60_000 }))!.click();
  await frame.waitForSelector("#v2k-cbt-dialog-password", { timeout: 10_000 });
  await frame.type("#v2k-cbt-dialog-password", lab.password);
  await frame.click("#v2k-cbt-dialog-confirm");
  const disk = await frame.waitForSelector("#v2k-cbt-status li[data-disk]", { timeout: 60_000 });
  assert.equal(await disk!.evaluate((e) => e.getAttribute("data-state")), "tracking");
  const synced = (readJson(join(workdir, "manifest.json")).disks as { syncedChangeId: string }[])[0]!.syncedChangeId;
  assert.ok((await disk!.evaluate((e) => e.textContent ?? "")).includes(synced), "the changeId the target holds is shown");

  await exec(HELPER, ["lab", "fault", "--dir", lab.dir, "--kind", "cbt-reset", "--vm", "boot01"], { timeoutMs: 60_000 });
  await frame.click("#v2k-cbt-check"); // the password is known now: no dialog
  await frame.waitForFunction(() => document.querySelector("#v2k-cbt-status li[data-disk]")?.getAttribute("data-state") === "reset", {
    timeout: 60_000,
  });
  assert.match(await frame.$eval("#v2k-cbt-status", (e) => e.textContent ?? ""), /the next round copies this disk in full/);
  await cockpit.screenshot(page, "page-runbook-cbt-reset");
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});
