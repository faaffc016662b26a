// The wizard's storage choice, end to end on a real single-node Ceph: with the host's Ceph conf the target
// step offers the RBD pools with their free space and names the images init will create; the same VM
// created once into the pool and once as image files gives an RBD manifest (images made in the pool) and a
// file manifest. The page drives preflight and init; nothing but the page chooses the target.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Page } from "puppeteer-core";
import { startCockpit, type CockpitSession } from "../support/cockpit";
import { type TestCeph, startTestCeph } from "../support/ceph";
import { startTestLab, type TestLab } from "../support/lab";
import { addTestBridge, type LibvirtdHandle, removeTestBridge, startLibvirtd } from "../support/libvirtd";

let cockpit: CockpitSession;
let ceph: TestCeph;
let lab: TestLab;
let lv: LibvirtdHandle;
let root: string;
const BRIDGE = `v2ks${process.pid % 100000}`;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-storage-root-"));
  mkdirSync(join(root, "images"));
  lv = await startLibvirtd();
  await addTestBridge(BRIDGE);
  [ceph, lab] = await Promise.all([startTestCeph({ auth: "none" }), startTestLab({ scenario: "minimal" })]);
  cockpit = await startCockpit({ workdirRoot: root, cephConf: ceph.conf });
});

after(async () => {
  await cockpit?.close();
  await removeTestBridge(BRIDGE);
  await lv?.release();
  await ceph?.stop();
  await lab?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Connect, pick boot01, and arrive at the target step. */
async function toTargetStep(page: Page): Promise<void> {
  await page.goto(`${cockpit.pageUrl}#/new`);
  await page.waitForSelector("#v2k-vcenter-url");
  await page.type("#v2k-vcenter-url", lab.url);
  await page.type("#v2k-vcenter-user", lab.username);
  await page.type("#v2k-vcenter-password", lab.password);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#v2k-thumbprint .v2k-thumbprint-value", { timeout: 60_000 });
  await page.click("#v2k-thumbprint-confirm");
  await page.click("#v2k-wizard-next");
  await page.waitForSelector("#v2k-vm-table .v2k-vm-row", { timeout: 60_000 });
  await page.click("#v2k-vm-boot01");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#v2k-storage-file");
}

/** Workdirs under the root (<root>/<vm>/<run id>). */
const workdirs = () =>
  readdirSync(root)
    .flatMap((vm) => (existsSync(join(root, vm, "manifest.json")) ? [] : readdirSync(join(root, vm)).map((run) => join(root, vm, run))))
    .filter((w) => existsSync(join(w, "manifest.json")));

type Created = { workdir: string; manifest: any; rows: Record<string, string> };

/** The bridge for boot01's port group, preflight Go, then create; the new workdir, its manifest and the checks. */
async function finish(page: Page): Promise<Created> {
  const netSelect = "#v2k-netmap-VM\\ Network";
  await page.waitForFunction(
    (sel, v) => [...((document.querySelector(sel) as HTMLSelectElement | null)?.options ?? [])].some((o) => o.value === v),
    { timeout: 60_000 },
    netSelect,
    `bridge:${BRIDGE}`,
  );
  await page.select(netSelect, `bridge:${BRIDGE}`);
  await page.click("#v2k-wizard-next");
  await page.waitForSelector("#v2k-preflight-go, #v2k-preflight-nogo", { timeout: 120_000 });
  const rows = await page.$$eval("#v2k-preflight-checks .v2k-check", (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute("data-check"), `${e.getAttribute("data-status")} ${e.textContent ?? ""}`])),
  );
  assert.ok(await page.$("#v2k-preflight-go"), `preflight Go: ${JSON.stringify(rows)}`);
  const before = new Set(workdirs());
  await page.click("#v2k-wizard-create");
  await page.waitForFunction(() => !location.hash.includes("new"), { timeout: 120_000 });
  const created = workdirs().filter((w) => !before.has(w));
  assert.equal(created.length, 1, `one new workdir under ${root}: ${workdirs().join(", ")}`);
  const workdir = created[0]!;
  return { workdir, manifest: JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8")), rows };
}

test("RBD or files in the wizard: the pools with free space, the planned images, and the manifest init writes", async () => {
  const page = await cockpit.open("en");
  await toTargetStep(page);
  await page.waitForSelector("#v2k-storage-rbd", { timeout: 60_000 });
  await page.click("#v2k-storage-rbd");
  assert.equal(await page.$("#v2k-dst"), null, "no directory for RBD");
  await page.waitForSelector(`#v2k-rbd-pool option[value="${ceph.pool}"]`);
  const label = await page.$eval(`#v2k-rbd-pool option[value="${ceph.pool}"]`, (o) => o.textContent ?? "");
  assert.match(label, new RegExp(`^${ceph.pool} \\([0-9.]+ GiB free\\)$`));
  await page.select("#v2k-rbd-pool", ceph.pool);
  const images = await page.$$eval("#v2k-rbd-images li", (els) => els.map((e) => e.textContent));
  assert.deepEqual(images, [`${ceph.pool}/boot01-disk0`]);
  await cockpit.screenshot(page, "wizard-target-rbd");
  const rbd = await finish(page);
  assert.match(rbd.rows["rbd-images"] ?? "", new RegExp(`^pass .*none exists yet: ${ceph.pool}/boot01-disk0`));
  assert.equal(rbd.manifest.target.mode, "rbd");
  assert.equal(rbd.manifest.target.ceph.conf, ceph.conf);
  assert.equal(rbd.manifest.disks[0].target.path, `rbd:${ceph.pool}/boot01-disk0`);
  assert.deepEqual(await ceph.images(ceph.pool), ["boot01-disk0"], "init created the image");
  // the next migration of boot01 would be refused as a second one: this one goes away first
  await ceph.rbd(["rm", "--no-progress", `${ceph.pool}/boot01-disk0`]);
  rmSync(rbd.workdir, { recursive: true, force: true });

  await toTargetStep(page);
  assert.equal(await page.$eval("#v2k-storage-file", (e) => (e as HTMLInputElement).checked), true, "files are the default");
  await page.click("#v2k-dst", { count: 3 });
  await page.keyboard.press("Backspace");
  await page.type("#v2k-dst", join(root, "images"));
  const file = await finish(page);
  assert.equal(file.manifest.target.mode, "file");
  assert.equal(file.manifest.disks[0].target.path, join(root, "images", "boot01-disk0.qcow2"));
  assert.deepEqual(await ceph.images(ceph.pool), [], "nothing in the pool");
  await page.close();
});
