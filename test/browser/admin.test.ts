// Without Cockpit administrative access (the session's bridge runs as "nobody", so superuser
// "require" is refused) the page says so instead of failing obscurely.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCockpit } from "../support/cockpit";

test("no administrative access: the page explains it and runs nothing", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "v2k-admin-root-"));
  const cockpit = await startCockpit({ workdirRoot: root, unprivilegedUser: "nobody" });
  t.after(async () => {
    await cockpit.close();
    rmSync(root, { recursive: true, force: true });
  });
  for (const [lang, title] of [
    ["en", "Administrative access is required"],
    ["ko", "관리자 권한이 필요합니다"],
  ] as const) {
    const page = await cockpit.open(lang);
    await page.waitForSelector("#v2k-admin-required", { timeout: 30_000 });
    assert.match(await page.$eval("#v2k-admin-required", (e) => e.textContent ?? ""), new RegExp(title));
    assert.equal(await page.$("#v2k-new-migration"), null, "no actions offered");
    await cockpit.screenshot(page, `08-admin-required-${lang}`);
    assert.deepEqual(page.v2kErrors, []);
    await page.close();
  }
});
