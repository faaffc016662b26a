// End to end through the page, against the lab and real libvirt: the wizard creates a migration,
// base and two incremental rounds run (the lab guest writes in between) with the chart and events
// updating live, then cutover, verify, rollback and cleanup. Each step is asserted on the page and in
// manifest.json; screenshots go to test-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Page } from "puppeteer-core";
import { Manifest } from "../../src/shared/manifest";
import { ListResult } from "../../src/shared/results";
import { exec } from "../../src/kit/exec";
import { execa, type ResultPromise } from "execa";
import { startCockpit, type CockpitSession } from "../support/cockpit";
import { walkConnect, walkCreate, walkNext, walkPickVm, walkPreflight, walkTarget } from "../support/wizard-walk";
import { addTestBridge, startLibvirtd, removeDomains, removeTestBridge, type LibvirtdHandle } from "../support/libvirtd";

const HELPER = resolve("dist/ablestack_v2k");
// The lab's port group "VM Network" lands on a private bridge (no libvirt network or firewall needed).
const BRIDGE = `v2kp${process.pid % 100000}`;
const VM = "boot01";

let dir: string;
let labDir: string;
let root: string;
let dst: string;
let lab: LabInfo;
let cockpit: CockpitSession;
let libvirt: LibvirtdHandle | undefined;
let page: Page & { v2kErrors: string[]; v2kConsole: string[] };
const labOptions = { stdin: "ignore", stdout: "ignore", stderr: "pipe", reject: false } as const;
type LabProcess = ResultPromise<typeof labOptions>;
let labProcess: LabProcess | undefined;

type LabInfo = { url: string; username: string; password: string; thumbprint: string; pid: number };

/** The lab runs in the foreground as our child; it is ready once lab.json names it and /sdk answers. */
async function labReady(labDir: string, child: LabProcess, timeoutMs: number): Promise<LabInfo> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`lab exited early: ${String((await child).stderr)}`);
    try {
      const info = JSON.parse(readFileSync(join(labDir, "lab.json"), "utf8")) as LabInfo;
      if (info.pid === child.pid) {
        const probe = await exec(HELPER, ["--json", "vcenter", "probe", "--vcenter", info.url], { timeoutMs: 10_000, okCodes: [0, 1] });
        if (probe.exitCode === 0) return info;
      }
    } catch {
      // not written yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`lab in ${labDir} not ready within ${timeoutMs} ms`);
}

async function helper(args: string[], timeoutMs = 120_000): Promise<unknown> {
  const r = await exec(HELPER, ["--json", ...args], { timeoutMs });
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { ok: boolean; data: unknown };
  assert.ok(last.ok, `${args.join(" ")} failed: ${r.stdout}`);
  return last.data;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "v2k-flow-"));
  labDir = join(dir, "lab");
  root = join(dir, "state");
  dst = join(dir, "images", VM);
  mkdirSync(root);
  mkdirSync(dst, { recursive: true });
  labProcess = execa(HELPER, ["lab", "start", "--dir", labDir], labOptions);
  lab = await labReady(labDir, labProcess, 180_000);
  libvirt = await startLibvirtd();
  await addTestBridge(BRIDGE);
  cockpit = await startCockpit({ workdirRoot: root });
  page = await cockpit.open("en");
});

after(async () => {
  await cockpit?.close();
  if (libvirt) {
    await removeDomains(libvirt.virsh, [VM]).catch(() => undefined);
    await libvirt.release();
  }
  await removeTestBridge(BRIDGE);
  if (labProcess && labProcess.exitCode === null) {
    labProcess.kill("SIGTERM");
    await Promise.race([labProcess, new Promise((r) => setTimeout(r, 10_000))]);
    if (labProcess.exitCode === null) labProcess.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
});

async function shows(selector: string, expected: string | RegExp, timeout = 60_000): Promise<void> {
  const source = expected instanceof RegExp ? expected.source : expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  try {
    await page.waitForFunction(
      (sel, src) => [...document.querySelectorAll(sel)].some((e) => new RegExp(src).test(e.textContent ?? "")),
      { timeout, polling: 200 },
      selector,
      source,
    );
  } catch (e) {
    const seen = await page.$$eval(selector, (els) => els.map((el) => el.textContent).join(" | ")).catch(() => "");
    const errors = await page.$$eval(".v2k-error", (els) => els.map((el) => el.textContent).join(" | ")).catch(() => "");
    await cockpit.screenshot(page, "flow-failure");
    throw new Error(`${selector} never showed ${String(expected)}; saw: ${seen.slice(0, 300)}; errors: ${errors.slice(0, 500)}`, {
      cause: e,
    });
  }
}

async function phase(expected: string): Promise<void> {
  await page
    .waitForFunction(
      (p) =>
        document.querySelector("#v2k-migration")?.getAttribute("data-phase") === p &&
        document.querySelector("#v2k-migration")?.getAttribute("data-busy") === "false",
      { timeout: 180_000, polling: 200 },
      expected,
    )
    .catch(async (e) => {
      const errors = await page.$$eval(".v2k-error", (els) => els.map((el) => el.textContent).join(" | ")).catch(() => "");
      await cockpit.screenshot(page, "flow-failure");
      throw new Error(`phase ${expected} not reached; errors on the page: ${errors}`, { cause: e });
    });
}

/** Clicks an action button once it is enabled (it is disabled while an operation runs). */
async function act(id: string): Promise<void> {
  await page.waitForSelector(`#${id}:not([disabled])`, { timeout: 60_000 });
  await page.click(`#${id}`);
}

let workdir = "";
const manifest = () => Manifest.parse(JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8")));

test("wizard: connect with a confirmed thumbprint, pick the VM, target, preflight Go, create", async () => {
  await walkConnect(page, cockpit.pageUrl, lab);
  assert.equal(await page.$eval("#v2k-thumbprint .v2k-thumbprint-value", (e) => e.textContent), lab.thumbprint);
  await cockpit.screenshot(page, "10-wizard-connect");
  await walkNext(page, "#v2k-vm-table .v2k-vm-row");

  await shows(`#v2k-vm-table .v2k-vm-row[data-vm='${VM}']`, VM);
  await shows("#v2k-vm-table", "web01");
  await walkPickVm(page, VM);
  await cockpit.screenshot(page, "11-wizard-vm");
  await walkNext(page, "#v2k-dst");

  assert.equal(await page.$eval("#v2k-dst", (i) => (i as HTMLInputElement).value), `/var/lib/libvirt/images/${VM}`);
  // a dropdown of the host's real networks and bridges (storage networks): the test bridge is one of them
  await walkTarget(page, { dst, bridge: BRIDGE });
  assert.equal(await page.$eval("#v2k-netmap-VM\\ Network", (i) => (i as HTMLSelectElement).value), `bridge:${BRIDGE}`);
  await cockpit.screenshot(page, "12-wizard-target");

  const preflight = await walkPreflight(page);
  assert.ok(preflight.go, `preflight Go: ${JSON.stringify(preflight.rows)}`);
  assert.equal(preflight.rows.vm?.status, "pass");
  await cockpit.screenshot(page, "13-wizard-preflight");
  workdir = await walkCreate(page);
  assert.ok(workdir.startsWith(root + "/"), `workdir ${workdir} outside ${root}`);
  await phase("initialized");
  assert.equal(manifest().vm.name, VM);
  assert.equal(manifest().vcenter.thumbprint, lab.thumbprint);
  assert.equal(manifest().target.dir, dst);
  assert.ok(!page.v2kConsole.some((l) => l.includes(lab.password)), "password in the console");
});

test("CBT, base copy and two incremental rounds with guest writes: chart and events update live", async () => {
  await act("v2k-action-cbt-enable");
  await phase("cbt-enabled");
  assert.equal(manifest().cbt.enabledByUs, true);

  await act("v2k-action-sync-base");
  await phase("base-synced");
  await shows("#v2k-rounds .v2k-round[data-round='0']", "base");
  assert.equal(manifest().rounds[0]?.status, "synced");
  await cockpit.screenshot(page, "14-base-synced");

  for (const [round, offset] of [
    [1, "8M"],
    [2, "40M"],
  ] as const) {
    await helper([
      "lab",
      "write",
      "--dir",
      labDir,
      "--vm",
      VM,
      "--disk",
      "0",
      "--offset",
      offset,
      "--length",
      "2M",
      "--seed",
      String(round),
    ]);
    const eventsBefore = await page.$$eval("#v2k-events .v2k-event", (e) => e.length);
    await act("v2k-action-sync-incr");
    await shows(`#v2k-rounds .v2k-round[data-round='${round}']`, "incremental", 180_000);
    await phase("incr-synced");
    const m = manifest();
    const r = m.rounds.find((x) => x.n === round);
    assert.equal(r?.status, "synced");
    assert.ok((r?.changedBytes ?? 0) >= 2 * 2 ** 20, `round ${round} saw ${r?.changedBytes} changed bytes`);
    assert.equal(await page.$$eval("#v2k-convergence .v2k-bar", (b) => b.length), round, "one bar per incremental round");
    // events.log is read by the helper after each change: its events may arrive a moment after the manifest's
    await page.waitForFunction((n) => document.querySelectorAll("#v2k-events .v2k-event").length > n, { timeout: 15_000 }, eventsBefore);
    await shows("#v2k-events", new RegExp(`round ${round} \\(incr\\)`));
    await cockpit.screenshot(page, `15-incr-round-${round}`);
  }
  // The helper's unattended pipeline, started from the page: one more round, then "ready".
  await helper(["lab", "write", "--dir", labDir, "--vm", VM, "--disk", "0", "--offset", "60M", "--length", "1M", "--seed", "3"]);
  await act("v2k-action-auto-sync");
  await shows("#v2k-rounds .v2k-round[data-round='3']", "incremental", 180_000);
  await phase("incr-synced");
  const op = JSON.parse(readFileSync(join(workdir, "operation.json"), "utf8")) as { command: string; exitCode?: number };
  assert.deepEqual([op.command, op.exitCode], ["run", 0]);
  await shows("#v2k-events", /cutover criterion met/);
  await cockpit.screenshot(page, "15-auto-sync");

  const listed = ListResult.parse(await helper(["list", "--root", root]));
  assert.equal(listed.migrations[0]?.manifest.phase, "incr-synced");
});

test("cutover (power off, final sync, define), verify, then start on KVM", async () => {
  await act("v2k-action-cutover");
  await page.waitForSelector("#v2k-cutover-dialog");
  await shows("#v2k-cutover-dialog", "VMware Tools");
  assert.equal(
    await page.$eval("#v2k-cutover-net-VM\\ Network", (i) => (i as HTMLInputElement).value),
    `bridge:${BRIDGE}`,
    "the wizard's network map, as recorded in the manifest",
  );
  await page.click("#v2k-cutover-poweroff"); // the lab's boot01 runs no VMware Tools
  await shows("#v2k-cutover-dialog", "powered off without a guest shutdown");
  await cockpit.screenshot(page, "16-cutover-dialog");
  assert.equal(await page.$eval("#v2k-cutover-start", (i) => (i as HTMLInputElement).checked), false, "start waits for verify");
  await page.click("#v2k-cutover-dialog-confirm");
  await phase("defined");
  assert.ok(manifest().cutover?.definedAt, "cutover.definedAt recorded");
  await cockpit.screenshot(page, "17-cutover-defined");

  await act("v2k-action-verify");
  await shows("#v2k-verify-results .v2k-verify[data-ok='true']", "Verified", 180_000);
  assert.ok(manifest().verify.some((v) => v.ok));
  await cockpit.screenshot(page, "18-verified");

  await act("v2k-action-start");
  await phase("started");
  const m = manifest();
  assert.ok(m.cutover?.startedAt, "cutover.startedAt recorded");
  assert.ok((m.cutover?.downtimeMs ?? -1) >= 0);
  await shows("#v2k-domain-name", m.cutover?.domainName ?? VM);
  const state = await exec("virsh", ["-c", "qemu:///system", "domstate", m.cutover?.domainName ?? VM], { timeoutMs: 30_000 });
  assert.match(state.stdout, /running/);
  await shows("#v2k-domain-state [data-state='running']", "running");
  await cockpit.screenshot(page, "19-started");
});

test("rollback powers the source back on and removes the domain; cleanup removes only our snapshots", async () => {
  await act("v2k-action-rollback");
  await page.waitForSelector("#v2k-rollback-dialog");
  await shows("#v2k-rollback-dialog", "Kept:");
  await page.click("#v2k-rollback-dialog-confirm");
  await phase("rolled-back");
  assert.equal(manifest().rollback?.sourcePoweredOn, true);
  await shows("#v2k-rollback-done", "runs again");
  const domains = await exec("virsh", ["-c", "qemu:///system", "list", "--all", "--name"], { timeoutMs: 30_000 });
  assert.ok(!domains.stdout.split("\n").includes(VM), "domain still defined after rollback");
  await shows("#v2k-domain-state [data-state='removed']", "removed by the rollback");
  await cockpit.screenshot(page, "20-rolled-back");

  await act("v2k-action-cleanup");
  await page.waitForSelector("#v2k-cleanup-dialog");
  await shows("#v2k-cleanup-dialog", /not created by this tool/);
  await page.click("#v2k-cleanup-dialog-confirm");
  await phase("cleaned");
  const m = manifest();
  assert.ok(m.cleanup);
  assert.ok(
    m.snapshots.every((s) => s.state === "removed"),
    "a migration snapshot is left",
  );
  await shows("#v2k-cleanup-done", "Cleaned up");
  await cockpit.screenshot(page, "21-cleaned");

  await page.click(".pf-v6-c-breadcrumb a");
  await shows(`#v2k-migrations .v2k-migration-row[data-workdir='${workdir}'] .v2k-phase`, "Cleaned up");
  await cockpit.screenshot(page, "22-list-after");
  assert.deepEqual(page.v2kErrors, []);
});

test("a running copy outlives the tab: a new tab re-attaches, asks for the password once, and cancels it; it resumes later", async () => {
  const vm = "web01";
  const other = join(dir, "images", vm);
  mkdirSync(other, { recursive: true });
  const stdin = lab.password + "\n";
  const conn = ["--vcenter", lab.url, "--username", lab.username, "--thumbprint", lab.thumbprint, "--password-stdin"];
  const run = async (args: string[]) => {
    const r = await exec(HELPER, ["--json", ...args], {
      timeoutMs: 120_000,
      input: stdin,
      okCodes: [0, 1],
      env: { ...(process.env as Record<string, string>), V2K_STATE_DIR: root },
    });
    const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { ok: boolean; data: { workdir: string } };
    assert.ok(last.ok, r.stdout);
    return last.data;
  };
  const wd = (await run(["init", "--vm", vm, "--dst", other, ...conn])).workdir;
  await run(["--workdir", wd, "cbt", "enable", "--password-stdin"]);
  const read = () => Manifest.parse(JSON.parse(readFileSync(join(wd, "manifest.json"), "utf8")));

  await helper(["lab", "fault", "--dir", labDir, "--kind", "slow", "--ms", "1500"]);
  try {
    const url = `${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(wd)}`;
    const first = await cockpit.open("en");
    await first.goto(url);
    await first.waitForSelector("#v2k-action-sync-base:not([disabled])", { timeout: 60_000 });
    await first.click("#v2k-action-sync-base");
    await first.waitForSelector("#v2k-password-dialog-password"); // this tab never saw the password
    await first.type("#v2k-password-dialog-password", lab.password);
    await first.click("#v2k-password-dialog-confirm");
    await first.waitForSelector("#v2k-running", { timeout: 60_000 });
    await first.close(); // the copy keeps running without the page

    page = await cockpit.open("en");
    await page.goto(url);
    await shows("#v2k-running", "sync base");
    assert.equal(await page.$eval("#v2k-action-sync-base", (b) => (b as HTMLButtonElement).disabled), true, "actions wait while it runs");
    await cockpit.screenshot(page, "23-reattached-running");
    await page.click("#v2k-cancel");
    await page.waitForSelector("#v2k-cancel-dialog"); // cancel asks first
    assert.equal(
      await page.$eval("#v2k-migration", (e) => e.getAttribute("data-running")),
      "true",
      "nothing is cancelled before the confirmation",
    );
    await page.click("#v2k-cancel-confirm");
    await page.waitForFunction(() => document.querySelector("#v2k-migration")?.getAttribute("data-running") === "false", {
      timeout: 60_000,
    });
    const op = JSON.parse(readFileSync(join(wd, "operation.json"), "utf8")) as { exitCode?: number; cancelled?: boolean };
    assert.notEqual(op.exitCode, 0, "the cancelled helper did not finish");
    assert.equal(op.cancelled, true, "recorded as cancelled, not failed");
    await shows("#v2k-cancelled", "sync base");
    assert.equal(read().phase, "cbt-enabled", "a cancelled base copy does not advance the phase");
    await cockpit.screenshot(page, "24-cancelled");
  } finally {
    await helper(["lab", "fault", "--dir", labDir, "--kind", "slow", "--ms", "0"]);
  }
  await act("v2k-action-sync-base"); // this tab has not seen the password: the dialog asks for it
  if (await page.$("#v2k-password-dialog-password")) {
    await page.type("#v2k-password-dialog-password", lab.password);
    await page.click("#v2k-password-dialog-confirm");
  }
  await phase("base-synced");
  assert.equal(read().rounds.filter((r) => r.status === "synced").length, 1);
});
