// Rollback, then retry, from the page: boot01 cut over (defined on KVM) by the CLI, rolled back in the page
// (no stale failure banner, the timeline says rolled back, the domain card says the domain is gone), then the kebab's "Retry migration" continues on
// the same workdir (a new incremental round; the old cutover archived). A second rollback, then "Delete
// migration" removes the workdir and the copied images and returns to the list.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Page } from "puppeteer-core";
import { PageWorld } from "../support/page-world";

const world = new PageWorld({ dir: "v2k-retry-root-", domain: "v2k-t-retry-", bridge: "v2kbr" });
before(() => world.open());
after(() => world.close());

async function settled(page: Page, phase: string): Promise<void> {
  await page
    .waitForFunction(
      (p) => {
        const el = document.querySelector("#v2k-migration");
        return el?.getAttribute("data-phase") === p && el.getAttribute("data-busy") === "false";
      },
      { timeout: 240_000 },
      phase,
    )
    .catch(async (e: unknown) => {
      const errors = await page.$$eval(".v2k-error", (els) => els.map((el) => el.textContent).join(" | ")).catch(() => "");
      throw new Error(`phase ${phase} not reached: ${errors}`, { cause: e });
    });
}

const stepStatus = (page: Page) =>
  page.$$eval("#v2k-timeline [data-status]", (els) =>
    Object.fromEntries(els.map((e) => [e.id.replace("v2k-step-", ""), e.getAttribute("data-status") ?? ""])),
  );

test("rolled back in the page, then 'Retry migration' continues on the same workdir; 'Delete migration' removes it", async () => {
  const { cockpit, lv, lab, domain, bridge } = world;
  const dst = join(world.root, "images");
  mkdirSync(dst);
  const { workdir }: { workdir: string } = await world.helper(["init", "--vm", "boot01", "--dst", dst]);
  await world.helper(["--workdir", workdir, "cbt", "enable"]);
  await world.helper(["--workdir", workdir, "sync", "base"]);
  const cut = ["--shutdown", "poweroff", "--convert", "none", "--domain-name", domain, "--domain-type", "qemu"];
  await world.helper(["--workdir", workdir, "cutover", ...cut, "--network-map-default", bridge, "--graphics", "none"]);
  assert.equal(await lv.virsh.domState(domain), "shut off");

  const page = await cockpit.open("en");
  await page.goto(`${cockpit.pageUrl}#/migration?workdir=${encodeURIComponent(workdir)}`);
  await settled(page, "defined");
  assert.equal(await page.$("#v2k-rollback-menu"), null, "no retry/delete kebab before a rollback");
  await page.click("#v2k-action-rollback");
  await page.waitForSelector("#v2k-rollback-dialog #v2k-rollback-removes");
  assert.match(
    await page.$eval("#v2k-rollback-removes", (e) => e.textContent ?? ""),
    /KVM domain of this migration is stopped and undefined/,
  );
  await page.type("#v2k-rollback-dialog-password", lab.password);
  await page.click("#v2k-rollback-dialog-confirm");
  await settled(page, "rolled-back");
  assert.equal(await lv.virsh.domState(domain), null, "the domain is gone");
  assert.equal(await page.$(".v2k-error"), null, "no failure banner after a good rollback");
  assert.equal((await stepStatus(page)).cutover, "rolled-back");
  // the domain card says the domain is gone (never libvirt's last "shut off"), and offers no link to it
  await page.waitForSelector("#v2k-domain-state [data-state='removed']", { timeout: 30_000 });
  assert.match(await page.$eval("#v2k-domain-state", (e) => e.textContent ?? ""), /removed by the rollback/);
  assert.equal(await page.$("#v2k-domain-state [data-state='shut off']"), null);
  assert.equal(await page.$("#v2k-machines-link"), null, "no link to a domain that is gone");

  await page.click("#v2k-rollback-menu");
  await page.waitForSelector("#v2k-menu-retry");
  assert.equal(await page.$eval("#v2k-menu-retry button, button#v2k-menu-retry", (b) => (b as HTMLButtonElement).disabled), false);
  await cockpit.screenshot(page, "rollback-menu");
  await page.click("#v2k-menu-retry button, button#v2k-menu-retry");
  await page.waitForSelector("#v2k-retry-dialog #v2k-retry-rebase");
  assert.equal(await page.$("#v2k-retry-dialog-password"), null, "the password of the rollback is still known");
  await page.click("#v2k-retry-dialog-confirm");
  await settled(page, "incr-synced");
  const m = JSON.parse(readFileSync(join(workdir, "manifest.json"), "utf8"));
  assert.equal(m.pastCutovers.length, 1, "the undone cutover is archived");
  assert.equal(m.cutover, undefined);
  assert.equal(m.rounds.at(-1).kind, "incr");
  const steps = await stepStatus(page);
  assert.equal(steps.incr, "done");
  assert.equal(steps.cutover, "current", "the retried run is ready for a new cutover");
  assert.equal(await page.$("#v2k-rollback-menu"), null, "the kebab goes with the rollback");
  assert.equal(await page.$(".v2k-error"), null);

  // roll back once more (before a cutover this time), then delete the migration
  await page.click("#v2k-action-rollback");
  await page.click("#v2k-rollback-dialog-confirm");
  await settled(page, "rolled-back");
  await page.click("#v2k-rollback-menu");
  await page.click("#v2k-menu-delete button, button#v2k-menu-delete");
  await page.waitForSelector("#v2k-delete-dialog #v2k-delete-removes");
  const removes = await page.$eval("#v2k-delete-removes", (e) => e.textContent ?? "");
  assert.ok(removes.includes(workdir) && removes.includes(m.disks[0].target.path), removes);
  await cockpit.screenshot(page, "delete-dialog");
  await page.click("#v2k-delete-dialog-confirm");
  await page.waitForSelector("#v2k-migrations, .v2k-migration-row, #v2k-empty", { timeout: 60_000 });
  for (let i = 0; i < 50 && existsSync(workdir); i++) await new Promise((r) => setTimeout(r, 200));
  assert.equal(existsSync(workdir), false, "the workdir is removed");
  assert.equal(existsSync(m.disks[0].target.path), false, "the copied image is removed");
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});
