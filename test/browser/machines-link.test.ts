// A migrated VM links to Cockpit's Virtual machines page: inside the shell, with a real libvirt domain of the
// migration's name, the link on the migration page jumps the shell to cockpit-machines' page of that domain.
// Without a domain in libvirt (rolled back) there is no link.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../src/kit/exec";
import { frameOf, startCockpit, type CockpitSession } from "../support/cockpit";
import { removeDomains, startLibvirtd, TEST_LIBVIRT_URI, type LibvirtdHandle } from "../support/libvirtd";
import { sampleManifest } from "../unit/page/fixtures";

const DOMAIN = `v2k-ml-${process.pid % 100000}`;
let cockpit: CockpitSession;
let libvirt: LibvirtdHandle;
let dir: string;
let root: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "v2k-machines-link-"));
  root = join(dir, "state");
  mkdirSync(root);
  libvirt = await startLibvirtd();
  // a defined (never started) domain is all cockpit-machines needs to show its page
  const xml = join(dir, "domain.xml");
  writeFileSync(
    xml,
    `<domain type='qemu'><name>${DOMAIN}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>` +
      `<os><type arch='x86_64'>hvm</type></os></domain>`,
  );
  await exec("virsh", ["-c", TEST_LIBVIRT_URI, "define", xml], { timeoutMs: 30_000 });
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  if (libvirt) {
    await removeDomains(libvirt.virsh, [DOMAIN]);
    await libvirt.release();
  }
  rmSync(dir, { recursive: true, force: true });
});

function workdirWith(name: string, manifest: ReturnType<typeof sampleManifest>): string {
  const workdir = join(root, name, manifest.runId);
  mkdirSync(workdir, { recursive: true });
  writeFileSync(join(workdir, "manifest.json"), JSON.stringify(manifest));
  writeFileSync(join(workdir, "events.log"), "");
  return workdir;
}

const cutover = {
  shutdownMode: "guest" as const,
  requestedAt: "2026-01-01T01:00:00.000Z",
  definedAt: "2026-01-01T01:05:00.000Z",
  domainName: DOMAIN,
};

test("a defined domain: the link jumps the shell to the domain's page in Virtual machines", async () => {
  const workdir = workdirWith("defined", sampleManifest({ runId: "r-defined", phase: "defined", cutover }));
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(workdir)}`, { waitUntil: "domcontentloaded" });
  const frame = await frameOf(page, "/ablestack-v2k/index.html");
  await frame.waitForSelector("#v2k-domain-state [data-state='shut off']", { timeout: 60_000 });
  const link = await frame.waitForSelector("#v2k-machines-link", { timeout: 30_000 });
  assert.equal(
    await frame.$eval("#v2k-machines-link", (a) => a.getAttribute("href")),
    `/cockpit/@localhost/machines#vm?name=${DOMAIN}&connection=system`,
  );
  await link!.click();
  await page.waitForFunction(
    (d) => window.location.pathname === "/machines" && window.location.hash.includes(`name=${d}`),
    {
      timeout: 30_000,
      polling: 200,
    },
    DOMAIN,
  );
  assert.match(page.url(), new RegExp(`/machines#/?vm\\?name=${DOMAIN}&connection=system`));
  // cockpit-machines is loaded with its own route to the domain (showing it needs libvirt-dbus on the system bus)
  const machines = await frameOf(page, "/machines/index.html");
  await machines.waitForFunction(
    (d) => window.location.hash === `#vm?name=${d}&connection=system` || window.location.hash === `#/vm?name=${d}&connection=system`,
    { timeout: 30_000, polling: 200 },
    DOMAIN,
  );
  await cockpit.screenshot(page, "machines-link-jumped");
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});

test("no domain in libvirt (rolled back): no link", async () => {
  const gone = { ...cutover, domainName: `${DOMAIN}-gone` };
  const rollback = { at: "2026-01-01T02:00:00.000Z", sourcePoweredOn: true, domainUndefined: true, disksRemoved: false };
  const workdir = workdirWith("gone", sampleManifest({ runId: "r-gone", phase: "rolled-back", cutover: gone, rollback }));
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
  await page.waitForSelector("#v2k-domain-state [data-state='removed']", { timeout: 60_000 });
  assert.equal(await page.$("#v2k-machines-link"), null);
  await page.close();
});
