// The migrations list follows the workdir root while it is open (the real bridge's fswatch1): a workdir
// created by init elsewhere appears, and a phase written by a running job shows, without reloading.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCockpit, type CockpitSession } from "../support/cockpit";
import { sampleManifest } from "../unit/page/fixtures";

let cockpit: CockpitSession;
let root: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "v2k-listwatch-root-"));
  cockpit = await startCockpit({ workdirRoot: root });
});

after(async () => {
  await cockpit?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Written like the helper does: a temporary file renamed over manifest.json. */
function writeManifest(workdir: string, manifest: ReturnType<typeof sampleManifest>): void {
  mkdirSync(workdir, { recursive: true });
  writeFileSync(join(workdir, ".manifest.json.tmp"), JSON.stringify(manifest));
  renameSync(join(workdir, ".manifest.json.tmp"), join(workdir, "manifest.json"));
}

test("while the list is open, a new workdir appears and a phase change shows", async () => {
  const first = join(root, "web01", "r-web");
  writeManifest(first, sampleManifest({ runId: "r-web", phase: "initialized" }));
  const page = await cockpit.open("en");
  await page.goto(cockpit.pageUrl);
  await page.waitForSelector(".v2k-migration-row");

  const second = join(root, "db01", "r-db"); // a new VM folder, then its run folder, then the manifest
  writeManifest(second, sampleManifest({ runId: "r-db", phase: "initialized" }));
  await page.waitForFunction((w) => !!document.querySelector(`.v2k-migration-row[data-workdir="${w}"]`), { timeout: 15_000 }, second);

  const phaseOf = (w: string) => page.$eval(`.v2k-migration-row[data-workdir="${w}"] .v2k-phase`, (e) => e.textContent ?? "");
  const before = await phaseOf(first);
  writeManifest(first, sampleManifest({ runId: "r-web", phase: "base-synced" }));
  await page.waitForFunction(
    (w, b) => document.querySelector(`.v2k-migration-row[data-workdir="${w}"] .v2k-phase`)?.textContent !== b,
    { timeout: 15_000 },
    first,
    before,
  );
  assert.notEqual(await phaseOf(first), before);
  assert.deepEqual(page.v2kErrors, []);
  await page.close();
});
