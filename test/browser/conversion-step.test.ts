// Guest conversion on the page, inside the Cockpit shell: a migration whose cutover converted the guest shows the
// conversion step done with its time, and the card its rehearsal, duration, what it changed and the log; one whose
// rehearsal failed shows the step failed before the cutover (the source still up) with the helper's hint; one cut
// over with --convert none says the step was skipped and why. Manifests as the helper writes them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Manifest } from "../../src/shared/manifest";
import { frameOf, startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest, syncedRound } from "../unit/page/fixtures";
import { errorDocsKo } from "../../src/shared/i18n/error-docs-ko";

let cockpit: CockpitSession;
let root: string;
const rounds = [syncedRound(0, "base", 5e9, 60000), syncedRound(1, "incr", 1e6, 2000)];
const rehearsal = {
  state: "ok" as const,
  afterRound: 1,
  at: "2026-01-01T00:50:00.000Z",
  durationMs: 61000,
  logPath: "/w/convert-rehearsal.log",
};
const cutover = {
  shutdownMode: "guest" as const,
  requestedAt: "2026-01-01T01:00:00.000Z",
  sourceOffAt: "2026-01-01T01:00:30.000Z",
  finalSyncedAt: "2026-01-01T01:01:00.000Z",
  definedAt: "2026-01-01T01:03:00.000Z",
};
const conversion = {
  policy: "auto" as const,
  tool: "virt-v2v" as const,
  reason: "Linux: virt-v2v rebuilds the initramfs with virtio drivers",
  virtio: true,
  startedAt: "2026-01-01T01:01:05.000Z",
  finishedAt: "2026-01-01T01:02:09.000Z",
};

function workdirWith(name: string, m: Partial<Manifest>): string {
  const dir = join(root, name, "20260101-000000-conv");
  mkdirSync(dir, { recursive: true });
  const manifest = sampleManifest({ runId: `run-${name}`, rounds, ...m });
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...manifest, vm: { ...manifest.vm, name } }));
  writeFileSync(join(dir, "events.log"), "");
  return dir;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-conversion-step-"));
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

async function open(dir: string, lang: "en" | "ko" = "en") {
  const page = await cockpit.open(lang);
  await page.goto(`${cockpit.base}/ablestack-v2k#/migration?workdir=${encodeURIComponent(dir)}`, { waitUntil: "domcontentloaded" });
  const frame = await frameOf(page, "/ablestack-v2k/index.html");
  await frame.waitForSelector("#v2k-conversion", { timeout: 60_000 });
  const step = (id: string) => frame.$eval(`#v2k-step-${id}`, (e) => [e.getAttribute("data-status"), e.textContent ?? ""]);
  const text = (sel: string) => frame.$eval(sel, (e) => e.textContent ?? "");
  return { page, frame, step, text };
}

test("converted, rehearsal failed, skipped: the conversion step and card say what happened", async () => {
  const converted = workdirWith("linux01", {
    phase: "defined",
    conversionRehearsal: rehearsal,
    cutover: {
      ...cutover,
      conversion: {
        ...conversion,
        state: "committed",
        durationMs: 64000,
        os: "debian12",
        logPath: "/w/convert.log",
        changedRanges: {
          "2000": [
            [0, 1048576],
            [4194304, 1048576],
          ],
        },
      },
    },
  });
  let p = await open(converted);
  assert.deepEqual(await p.step("convert"), ["done", "Conversion1 min 4 s"]);
  assert.equal(await p.frame.$eval("#v2k-conversion-state [data-state]", (e) => e.getAttribute("data-state")), "committed");
  assert.match(await p.text("#v2k-conversion-changed"), /2\.00 MiB in 2 ranges on one disk \(left out of verify\)/);
  assert.match(await p.text("#v2k-conversion-log"), /\/w\/convert\.log/);
  assert.match(await p.text("#v2k-rehearsal-state"), /passed/);
  await p.frame.$eval("#v2k-conversion", (e) => e.scrollIntoView());
  await cockpit.screenshot(p.page, "conversion-step-converted");
  await p.page.close();

  const hint = "Read /w/convert-rehearsal.log, fix the cause and run cutover again, or cut over with --convert none (the disks as copied).";
  const failed = workdirWith("win01", {
    phase: "incr-synced",
    conversionRehearsal: { ...rehearsal, state: "failed" },
    lastError: { code: "CONVERSION_FAILED", message: "the conversion rehearsal failed; the VMware VM was not shut down", hint },
  });
  p = await open(failed, "ko");
  assert.equal((await p.step("convert"))[0], "failed");
  assert.equal((await p.step("cutover"))[0], "pending", "the rehearsal failed before any shutdown");
  // the code's Korean action, the helper's own table (the helper's English hint is in the header's error under "show more")
  const shown = await p.text("#v2k-conversion-hint"); // PatternFly adds the status for screen readers after it
  assert.ok(shown.startsWith(errorDocsKo.CONVERSION_FAILED.action), shown);
  assert.equal(await p.text(".v2k-error .v2k-error-hint"), errorDocsKo.CONVERSION_FAILED.action);
  assert.equal(await p.frame.$eval(".v2k-error .v2k-error-helper-hint", (e) => e.textContent), hint);
  assert.match(await p.text("#v2k-rehearsal-state"), /실패/);
  await p.frame.$eval("#v2k-conversion", (e) => e.scrollIntoView());
  await cockpit.screenshot(p.page, "conversion-step-rehearsal-failed-ko");
  await p.page.close();

  const none = workdirWith("boot01", {
    phase: "defined",
    cutover: {
      ...cutover,
      conversion: {
        ...conversion,
        tool: "none",
        policy: "none",
        state: "skipped",
        reason: "--convert none: the disks are left as copied",
        durationMs: 0,
      },
    },
  });
  p = await open(none);
  assert.equal((await p.step("convert"))[0], "skipped");
  assert.match(await p.text("#v2k-conversion-reason"), /--convert none: the disks are left as copied/);
  assert.equal(await p.frame.$("#v2k-conversion-duration"), null, "no duration for what did not run");
  assert.deepEqual(p.page.v2kErrors, []);
  await p.page.close();
});
