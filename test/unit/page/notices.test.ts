// Notices of ended steps: what ended and how, once per step, and the page's status in the shell.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import { AppState } from "../../../src/page/state/app-state";
import { listEndedNotices, operationEndedNotice, pageStatusOf } from "../../../src/page/state/notices";
import { type ListedMigration } from "../../../src/shared/results";
import { FakeCockpit, eventLine, settle } from "./fake-cockpit";
import { sampleManifest } from "./fixtures";
import { errorDocsKo } from "../../../src/shared/i18n/error-docs-ko";

let fake: FakeCockpit;
beforeEach(() => {
  fake = new FakeCockpit();
  setCockpit(fake.asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k" });
});

const started = { command: "sync base", pid: 77, startedAt: "2026-01-01T00:00:00Z" };
const ended = (exitCode: number, extra = {}) => ({ ...started, finishedAt: "2026-01-01T00:10:00Z", exitCode, ...extra });
const fullError = { code: "TARGET_FULL" as const, message: "no space", hint: "Free space at the target." };

test("an operation that ends: finished, failed with the error's hint, or cancelled; nothing else is news", () => {
  assert.equal(operationEndedNotice("web01", "/w", started, ended(0), null)?.variant, "success");
  const failed = operationEndedNotice("web01", "/w", started, ended(1), fullError);
  assert.equal(failed?.variant, "danger");
  assert.match(failed!.title, /web01: sync base failed/);
  assert.match(failed!.detail, /Free space at the target/);
  setCockpit({ ...fake.asCockpit(), language: "ko" });
  const korean = operationEndedNotice("web01", "/w", started, ended(1), fullError);
  assert.ok(korean!.detail.endsWith(`: ${errorDocsKo.TARGET_FULL.action}`), `the shared table's action: ${korean!.detail}`);
  setCockpit(fake.asCockpit());
  assert.equal(operationEndedNotice("web01", "/w", started, ended(1, { cancelled: true }), null)?.variant, "info");
  assert.equal(operationEndedNotice("web01", "/w", null, ended(0), null), null, "the page opened on an ended step");
  assert.equal(operationEndedNotice("web01", "/w", ended(0), ended(0), null), null, "already ended");
  assert.equal(operationEndedNotice("web01", "/w", started, started, null), null, "still running");
  assert.equal(operationEndedNotice("web01", "/w", started, { ...ended(0), startedAt: "2026-01-01T00:20:00Z" }, null), null);
});

function listed(workdir: string, running: boolean, lastError: typeof fullError | null = null): ListedMigration {
  const manifest = sampleManifest({ lastError });
  return { workdir, manifest, running: running ? { command: "run", startedAt: "2026-01-01T00:00:00Z" } : null };
}

test("the list: a migration seen running and now idle ends with the manifest's outcome", () => {
  const before = [listed("/a", true), listed("/b", true), listed("/c", false), listed("/d", true)];
  const after = [listed("/a", false), listed("/b", false, fullError), listed("/c", false), listed("/d", true)];
  const notices = listEndedNotices(before, after);
  assert.deepEqual(
    notices.map((n) => [n.workdir, n.variant]),
    [
      ["/a", "success"],
      ["/b", "danger"],
    ],
  );
  assert.deepEqual(pageStatusOf(notices)?.type, "error");
  assert.equal(pageStatusOf(notices.slice(0, 1))?.type, "info");
  assert.equal(pageStatusOf([]), null);
});

test("the open migration's step ending raises one notice and the shell's page status; closing it clears the status", async () => {
  const state = new AppState();
  state.setRoute({ view: "migration", workdir: "/srv/v2k/web01/r1" });
  fake.file("/srv/v2k/web01/r1/manifest.json").push(JSON.stringify(sampleManifest({ lastError: fullError })));
  const op = fake.file("/srv/v2k/web01/r1/operation.json");
  op.push(JSON.stringify(started));
  assert.equal(state.notices.length, 0);
  op.push(JSON.stringify(ended(1)));
  op.push(JSON.stringify(ended(1))); // the same record again (a re-read) is not a second notice
  assert.equal(state.notices.length, 1);
  assert.equal(state.notices[0]!.variant, "danger");
  const status = fake.controls.at(-1);
  assert.equal(status?.command, "notify");
  assert.equal((status?.options["page_status"] as { type: string }).type, "error");

  // the list refresh that follows sees the same step ended: still one notice
  const list = fake.processes.filter((p) => p.argv[2] === "list");
  for (const p of list) {
    p.emit(eventLine({ type: "result", command: "list", ok: true, data: { root: "/srv/v2k", migrations: [], unreadable: [] } }));
    p.exit();
  }
  await settle();
  assert.equal(state.notices.length, 1);
  state.dismissNotice(state.notices[0]!.key);
  assert.deepEqual(fake.controls.at(-1)?.options, { page_status: null });
  state.dispose();
});
