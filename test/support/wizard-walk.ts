// The new-migration wizard walked as an admin does it: connect (certificate confirmed, login checked), pick a
// VM, fill the target, run preflight, create. Each step is its own function (Next is walkNext) so a test can
// look, assert or capture between them; walkToTarget chains the first two steps.
import assert from "node:assert/strict";
import { type Page } from "puppeteer-core";

/** What the wizard's first step asks for (the test lab, or a lab started by the test itself). */
export interface WalkLogin {
  url: string;
  username: string;
  password: string;
}

/** Preflight's checks as the page lists them: id -> status ("pass", "warn", "fail") and the row's text. */
export type CheckRows = Record<string, { status: string; text: string }>;

/** Empties a field the way a user does (select all, delete) and types the value. */
export async function retype(page: Page, selector: string, value: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press("Backspace");
  await page.type(selector, value);
}

/** Step 1 from the page's #/new: address, user and password, the certificate checked and confirmed (Next not yet clicked). */
export async function walkConnect(page: Page, pageUrl: string, login: WalkLogin): Promise<void> {
  await page.goto(`${pageUrl}#/new`);
  await page.waitForSelector("#v2k-vcenter-url");
  await page.type("#v2k-vcenter-url", login.url);
  await page.type("#v2k-vcenter-user", login.username);
  await page.type("#v2k-vcenter-password", login.password);
  await page.click("#v2k-probe");
  await page.waitForSelector("#v2k-thumbprint .v2k-thumbprint-value", { timeout: 60_000 });
  const next = () => page.$eval("#v2k-wizard-next", (b) => (b as HTMLButtonElement).disabled);
  assert.equal(await next(), true, "Next is disabled until the thumbprint is confirmed");
  await page.click("#v2k-thumbprint-confirm");
}

/** Next, and what shows the next step is there (step 1's Next logs in first: it may take a while). */
export async function walkNext(page: Page, shown: string): Promise<void> {
  await page.click("#v2k-wizard-next");
  await page.waitForSelector(shown, { timeout: 60_000 });
}

/** Step 2: the VM's radio in the list. */
export async function walkPickVm(page: Page, vm: string): Promise<void> {
  await page.waitForSelector(`#v2k-vm-${vm}`, { timeout: 60_000 });
  await page.click(`#v2k-vm-${vm}`);
}

/** Steps 1 and 2, ending at the target step. */
export async function walkToTarget(page: Page, pageUrl: string, login: WalkLogin, vm: string): Promise<void> {
  await walkConnect(page, pageUrl, login);
  await walkNext(page, "#v2k-vm-table .v2k-vm-row");
  await walkPickVm(page, vm);
  await walkNext(page, "#v2k-storage-file");
}

/** Step 3: the destination directory (when given) and every port group of the VM onto `bridge`, from the host's list. */
export async function walkTarget(page: Page, target: { dst?: string; bridge: string }): Promise<void> {
  if (target.dst !== undefined) await retype(page, "#v2k-dst", target.dst);
  const value = `bridge:${target.bridge}`;
  await page.waitForFunction(
    (v) => {
      const selects = [...document.querySelectorAll<HTMLSelectElement>("select[id^='v2k-netmap-']")];
      return selects.length > 0 && selects.every((s) => [...s.options].some((o) => o.value === v));
    },
    { timeout: 60_000 },
    value,
  );
  for (const id of await page.$$eval("select[id^='v2k-netmap-']", (all) => all.map((s) => s.id))) {
    await page.select(`[id='${id}']`, value);
  }
}

/** Step 4: Next runs preflight; its verdict and the checks once it is shown. */
export async function walkPreflight(page: Page): Promise<{ go: boolean; rows: CheckRows }> {
  await page.click("#v2k-wizard-next");
  await page.waitForSelector("#v2k-preflight-go, #v2k-preflight-nogo", { timeout: 120_000 });
  const rows = await page.$$eval("#v2k-preflight-checks .v2k-check", (els) =>
    Object.fromEntries(
      els.map((e) => [e.getAttribute("data-check") ?? "", { status: e.getAttribute("data-status") ?? "", text: e.textContent ?? "" }]),
    ),
  );
  return { go: !!(await page.$("#v2k-preflight-go")), rows };
}

/** Create migration: init runs and the migration's page opens; its workdir as the page shows it. */
export async function walkCreate(page: Page): Promise<string> {
  await page.click("#v2k-wizard-create");
  await page.waitForSelector("#v2k-migration #v2k-workdir", { timeout: 120_000 });
  return page.$eval("#v2k-workdir", (e) => e.textContent ?? "");
}
