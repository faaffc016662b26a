// The network dead end, as an admin meets it in the page: web01 was initialised with its port groups mapped
// onto a bridge that was removed from the host since. The cutover dialog marks the mapped bridge as not
// found; a cutover confirmed anyway is refused with NETWORK_MISSING before anything is shut down, and the
// page shows the helper's message (which port group, which bridge) and its hint, the VMware VM still on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PageWorld } from "../support/page-world";
import { cliOk } from "../unit/cutover/cli-helpers";
import { removeTestBridge } from "../support/libvirtd";

const world = new PageWorld({ dir: "v2k-nonet-root-", domain: "v2k-t-nonet-", bridge: "v2kgone" });
before(() => world.open());
after(() => world.close());

const powerState = async (vm: string): Promise<string> =>
  ((await cliOk(["lab", "inventory", "--dir", world.lab.dir])).vms as { name: string; powerState: string }[]).find((v) => v.name === vm)!
    .powerState;

test("a cutover onto a removed bridge: NETWORK_MISSING with its message and hint on the page, the VMware VM still on", async () => {
  const { cockpit, lv, lab, domain, bridge } = world;
  const dst = join(world.root, "images");
  mkdirSync(dst);
  const map = `VM Network=${bridge},dvpg-prod=${bridge}`;
  const { workdir } = await world.helper(["init", "--vm", "web01", "--dst", dst, "--network-map", map]);
  await world.helper(["--workdir", workdir, "cbt", "enable"]);
  await world.helper(["--workdir", workdir, "sync", "base"]);
  // recorded step options (as another browser or the CLI set them): were the check to let it through, the
  // domain would be this test's own
  const cutoverOptions = [`domain-name=${domain}`, "domain-type=qemu", "graphics=none", "convert=none"];
  await world.helper(["--workdir", workdir, "step-options", "cutover", ...cutoverOptions.flatMap((o) => ["--set", o])], false);
  await removeTestBridge(bridge); // the host changed since init
  assert.equal(await powerState("web01"), "poweredOn");

  const page = await cockpit.open("en");
  await page.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
  await page.waitForSelector("#v2k-migration[data-phase='base-synced'][data-busy='false']", { timeout: 60_000 });
  await page.click("#v2k-action-cutover");
  await page.waitForSelector("#v2k-cutover-dialog");
  // the recorded target is kept in the dialog and marked, not silently replaced by a host default
  await page.waitForFunction(
    (id: string) => (document.getElementById(id) as HTMLSelectElement | null)?.selectedOptions[0]?.textContent?.includes("not found"),
    { timeout: 30_000 },
    "v2k-cutover-net-VM Network",
  );
  await page.click("#v2k-cutover-poweroff");
  await page.type("#v2k-cutover-dialog-password", lab.password);
  await page.click("#v2k-cutover-dialog-confirm");

  const alert = await page.waitForSelector(".v2k-error[data-error-code='NETWORK_MISSING']", { timeout: 180_000 });
  await page.waitForSelector("#v2k-migration[data-busy='false']", { timeout: 60_000 });
  const text = await alert!.evaluate((e) => e.textContent ?? "");
  assert.match(text, new RegExp(`VM Network -> bridge:${bridge} \\(does not exist\\)`), text);
  assert.match(text, /storage networks lists them/, "the hint says where to look");
  assert.match(text, /The VMware VM was left running/, text);
  assert.equal(await page.$eval("#v2k-migration", (e) => e.getAttribute("data-phase")), "base-synced");
  const steps = await page.$$eval("#v2k-timeline [data-status]", (els) =>
    Object.fromEntries(els.map((e) => [e.id.replace("v2k-step-", ""), e.getAttribute("data-status") ?? ""])),
  );
  assert.equal(steps.cutover, "failed", "the timeline marks the cutover, not the rounds");
  assert.equal(steps.incr, "pending");
  assert.ok(await page.$("#v2k-action-cutover"), "the cutover stays offered: fix the map and run it again");
  await cockpit.screenshot(page, "network-missing");

  assert.equal(await powerState("web01"), "poweredOn", "nothing was shut down");
  const m = JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8"));
  assert.equal(m.cutover, undefined, "nothing of a cutover is recorded");
  assert.equal(m.lastError?.code, "NETWORK_MISSING");
  assert.equal(await lv.virsh.domState(domain), null, "no domain was defined");
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});
