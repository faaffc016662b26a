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
import { type CheckRows, retype, walkCreate, walkPreflight, walkTarget, walkToTarget } from "../support/wizard-walk";
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

/** Workdirs under the root (<root>/<vm>/<run id>). */
const workdirs = () =>
  readdirSync(root)
    .flatMap((vm) => (existsSync(join(root, vm, "manifest.json")) ? [] : readdirSync(join(root, vm)).map((run) => join(root, vm, run))))
    .filter((w) => existsSync(join(w, "manifest.json")));

type Created = { workdir: string; manifest: any; rows: CheckRows };

/** The bridge for boot01's port group, preflight Go, then create; the new workdir, its manifest and the checks. */
async function finish(page: Page): Promise<Created> {
  await walkTarget(page, { bridge: BRIDGE });
  const { go, rows } = await walkPreflight(page);
  assert.ok(go, `preflight Go: ${JSON.stringify(rows)}`);
  const before = new Set(workdirs());
  const workdir = await walkCreate(page);
  const created = workdirs().filter((w) => !before.has(w));
  assert.deepEqual(created, [workdir], `one new workdir under ${root}, the page's: ${workdirs().join(", ")}`);
  return { workdir, manifest: JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8")), rows };
}

test("RBD or files in the wizard: the pools with free space, the planned images, and the manifest init writes", async () => {
  const page = await cockpit.open("en");
  await walkToTarget(page, cockpit.pageUrl, lab, "boot01");
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
  assert.equal(rbd.rows["rbd-images"]?.status, "pass");
  assert.match(rbd.rows["rbd-images"]!.text, new RegExp(`none exists yet: ${ceph.pool}/boot01-disk0`));
  assert.equal(rbd.manifest.target.mode, "rbd");
  assert.equal(rbd.manifest.target.ceph.conf, ceph.conf);
  assert.equal(rbd.manifest.disks[0].target.path, `rbd:${ceph.pool}/boot01-disk0`);
  assert.deepEqual(await ceph.images(ceph.pool), ["boot01-disk0"], "init created the image");
  // the next migration of boot01 would be refused as a second one: this one goes away first
  await ceph.rbd(["rm", "--no-progress", `${ceph.pool}/boot01-disk0`]);
  rmSync(rbd.workdir, { recursive: true, force: true });

  await walkToTarget(page, cockpit.pageUrl, lab, "boot01");
  assert.equal(await page.$eval("#v2k-storage-file", (e) => (e as HTMLInputElement).checked), true, "files are the default");
  await retype(page, "#v2k-dst", join(root, "images"));
  const file = await finish(page);
  assert.equal(file.manifest.target.mode, "file");
  assert.equal(file.manifest.disks[0].target.path, join(root, "images", "boot01-disk0.qcow2"));
  assert.deepEqual(await ceph.images(ceph.pool), [], "nothing in the pool");
  await page.close();
});

test("the target step as the admin sees it: each storage choice at 1280 px in English and 420 px in Korean, nothing clipped", async () => {
  for (const [lang, width] of [
    ["en", 1280],
    ["ko", 420],
  ] as const) {
    const page = await cockpit.open(lang, width, 800);
    await walkToTarget(page, cockpit.pageUrl, lab, "boot01");
    await page.waitForSelector("#v2k-storage-rbd", { timeout: 60_000 });
    for (const storage of ["file", "block", "rbd"] as const) {
      await page.click(`#v2k-storage-${storage}`);
      await page.waitForSelector(storage === "rbd" ? "#v2k-rbd-pool" : "#v2k-dst");
      await cockpit.screenshot(page, `wizard-target-${storage}-${lang}-${width}`);
      const clipped = await page.$$eval(
        "#v2k-step-target label, #v2k-step-target .pf-v6-c-helper-text__item-text, #v2k-wizard button",
        (els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent),
      );
      assert.deepEqual(clipped, [], `${storage} ${lang} ${width}: clipped text`);
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(sideways <= 0, `${storage} ${lang} ${width}: the page scrolls sideways by ${sideways} px`);
    }
    await page.close();
  }
});
