// The wizard against the lab vCenter, as an admin types: a wrong password fails on step 1 (the login is
// checked there, with the password on stdin), Enter submits a step, the right password goes on to the VMs;
// preflight warnings (no VMware Tools) are listed even when the result is Go. The primary button is disabled
// exactly while a step is not done, with the reason beside it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Page } from "puppeteer-core";
import { capturedColour } from "../support/screenshot-pixels";
import { PageWorld } from "../support/page-world";

// the target step needs a network for each port group of the VM: the world's private bridge, picked from its dropdown
const world = new PageWorld({ dir: "v2k-wizard-root-", domain: "v2k-t-wizard-", bridge: "v2kw" });
before(() => world.open());
after(() => world.close());

/** The footer's primary button: which it is, whether it is disabled, and the reason shown beside it. */
async function primaryButton(page: Page) {
  return page.$eval(".v2k-wizard-footer", (footer) => {
    const button = footer.querySelector<HTMLButtonElement>(".pf-m-primary")!;
    const why = footer.querySelector("#v2k-wizard-blocked")?.textContent ?? null;
    return { id: button.id, disabled: button.disabled, why };
  });
}

test("a wrong password fails step 1; Enter checks the certificate, then logs in and goes on", async () => {
  const { cockpit, lab, root, bridge: BRIDGE } = world;
  mkdirSync(join(root, "images"));
  const page = await cockpit.open("en");
  await page.goto(`${cockpit.pageUrl}#/new`);
  await page.waitForSelector("#v2k-vcenter-url");
  assert.deepEqual(await primaryButton(page), {
    id: "v2k-wizard-next",
    disabled: true,
    why: "Check the certificate of the vCenter address first.",
  });
  await page.type("#v2k-vcenter-url", lab.url);
  await page.type("#v2k-vcenter-user", lab.username);
  await page.type("#v2k-vcenter-password", "not-the-password");
  await page.keyboard.press("Enter"); // in the password field: the certificate check, like the button
  await page.waitForSelector("#v2k-thumbprint .v2k-thumbprint-value", { timeout: 60_000 });
  await page.click("#v2k-thumbprint-confirm");
  await page.click("#v2k-wizard-next");
  await page.waitForSelector("#v2k-wizard .v2k-error", { timeout: 60_000 });
  assert.ok(await page.$("#v2k-step-connect"), "still on step 1 after a failed login");
  assert.equal(await page.$("#v2k-step-vm"), null);
  await cockpit.screenshot(page, "wizard-wrong-password");

  await page.click("#v2k-vcenter-password", { count: 3 });
  await page.keyboard.press("Backspace");
  await page.type("#v2k-vcenter-password", lab.password);
  await page.keyboard.press("Enter"); // certificate confirmed: Enter is Next
  await page.waitForSelector("#v2k-vm-table .v2k-vm-row", { timeout: 60_000 });
  assert.equal(await page.$("#v2k-wizard .v2k-error"), null, "the login error went with the step");
  await page.click("#v2k-vm-boot01"); // Enter on the chosen VM and in the target's fields is Next too
  await page.keyboard.press("Enter");
  await page.waitForSelector("#v2k-dst");
  await page.click("#v2k-dst", { count: 3 });
  await page.keyboard.press("Backspace");
  await page.type("#v2k-dst", join(root, "images"));
  await page.waitForFunction(
    (v) =>
      [...document.querySelectorAll<HTMLSelectElement>("select[id^='v2k-netmap-']")].some((s) => [...s.options].some((o) => o.value === v)),
    { timeout: 60_000 },
    `bridge:${BRIDGE}`,
  );
  for (const id of await page.$$eval("select[id^='v2k-netmap-']", (all) => all.map((s) => s.id))) {
    await page.select(`[id='${id}']`, `bridge:${BRIDGE}`);
  }
  // Next's colours once its fade from disabled (the networks were just chosen) is over
  await page.waitForFunction(() => document.querySelector("#v2k-wizard-next")?.getAnimations().length === 0);
  const enabledLook = await page.$eval("#v2k-wizard-next", (b) => getComputedStyle(b).backgroundColor);
  await page.focus("#v2k-dst");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#v2k-step-preflight");
  // while the checks run, Create is disabled and the page says why (the helper takes seconds to log in)
  assert.deepEqual(await primaryButton(page), {
    id: "v2k-wizard-create",
    disabled: true,
    why: "Preflight is running: the migration can be created after its Go.",
  });
  await cockpit.screenshot(page, "wizard-preflight-running");
  await page.waitForSelector("#v2k-preflight-go, #v2k-preflight-nogo", { timeout: 120_000 });
  // captured the moment the result shows: the button's fade from its disabled colours (0.2 s) is still on
  const png = await cockpit.screenshot(page, "wizard-preflight-go-with-warnings");
  assert.equal(await capturedColour(page, png, "#v2k-wizard-create"), enabledLook, "the capture shows Create enabled, as Next was");
  const warned = await page.$$eval("#v2k-preflight-checks .v2k-check[data-status='warn']", (rows) =>
    rows.map((r) => r.getAttribute("data-check")),
  );
  const listed = await page.$$eval("#v2k-preflight-warnings li", (items) => items.map((i) => i.getAttribute("data-check")));
  // the lab's boot01 runs without VMware Tools: Go, and the warning is shown above the table
  assert.ok(await page.$("#v2k-preflight-go"), "preflight Go");
  assert.ok(warned.includes("guest-tools"), `warned: ${warned.join(",")}`);
  assert.deepEqual(listed, warned);
  assert.deepEqual(await primaryButton(page), { id: "v2k-wizard-create", disabled: false, why: null });
  assert.ok(!page.v2kConsole.some((l) => l.includes(lab.password) || l.includes("not-the-password")), "password in the console");
  await page.close();
});
