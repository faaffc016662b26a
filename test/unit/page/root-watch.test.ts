// The migrations list follows the workdir root while open: new workdirs and phase changes refresh it.
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { setCockpit } from "../../../src/page/host/cockpit";
import { setPageConfig } from "../../../src/page/host/config";
import { AppState } from "../../../src/page/state/app-state";
import { FakeCockpit, eventLine, settle } from "./fake-cockpit";
import { sampleManifest } from "./fixtures";

let fake: FakeCockpit;
beforeEach(() => {
  fake = new FakeCockpit();
  setCockpit(fake.asCockpit());
  setPageConfig({ helper: "/opt/v2k/ablestack_v2k", workdirRoot: "/srv/v2k" });
});

const lists = () => fake.processes.filter((p) => p.argv[2] === "list");

function answerList(workdirs: string[]): void {
  const p = lists().at(-1)!;
  const migrations = workdirs.map((workdir) => ({ workdir, manifest: sampleManifest(), running: null }));
  p.emit(eventLine({ type: "result", command: "list", ok: true, data: { root: "/srv/v2k", migrations, unreadable: [] } }));
  p.exit();
}

const msg = (m: Record<string, string>) => JSON.stringify(m);

test("the open list refreshes when a workdir appears under the root and when a manifest changes", async () => {
  const state = new AppState();
  state.setRoute({ view: "list" });
  answerList(["/srv/v2k/web01/r1"]);
  await settle();
  assert.equal(lists().length, 1);
  assert.deepEqual(fake.watchedPaths(), ["/srv/v2k", "/srv/v2k/web01", "/srv/v2k/web01/r1"]);

  // init makes <root>/db01/<run>/ then writes its manifest: each new folder is watched at once
  fake.change("/srv/v2k", msg({ event: "created", path: "/srv/v2k/db01", type: "directory" }));
  await settle();
  assert.equal(lists().length, 2);
  answerList(["/srv/v2k/web01/r1"]);
  await settle();
  fake.change("/srv/v2k/db01", msg({ event: "created", path: "/srv/v2k/db01/r9", type: "directory" }));
  answerList(["/srv/v2k/web01/r1"]);
  await settle();
  assert.ok(fake.watchedPaths().includes("/srv/v2k/db01/r9"));
  const before = lists().length;
  fake.change(
    "/srv/v2k/db01/r9",
    msg({ event: "moved", path: "/srv/v2k/db01/r9/.manifest.json.tmp", other: "/srv/v2k/db01/r9/manifest.json" }),
  );
  await settle();
  assert.equal(lists().length, before + 1);
  answerList(["/srv/v2k/db01/r9", "/srv/v2k/web01/r1"]);
  await settle();
  assert.equal(state.list.migrations.length, 2);

  // a phase change in an existing workdir; the event log growing does not re-list
  const n = lists().length;
  fake.change("/srv/v2k/web01/r1", msg({ event: "changed", path: "/srv/v2k/web01/r1/events.log" }));
  await settle();
  assert.equal(lists().length, n);
  fake.change("/srv/v2k/web01/r1", msg({ event: "created", path: "/srv/v2k/web01/r1/manifest.json", type: "file" }));
  await settle();
  assert.equal(lists().length, n + 1);
  answerList(["/srv/v2k/db01/r9", "/srv/v2k/web01/r1"]);
  await settle();

  // leaving the list closes every watch on the root
  state.setRoute({ view: "new" });
  assert.deepEqual(fake.watchedPaths(), []);
  state.dispose();
});

test("a removed workdir folder stops being watched and refreshes the list", async () => {
  const state = new AppState();
  state.setRoute({ view: "list" });
  answerList(["/srv/v2k/web01/r1"]);
  await settle();
  fake.change("/srv/v2k", msg({ event: "deleted", path: "/srv/v2k/web01" }));
  await settle();
  assert.deepEqual(fake.watchedPaths(), ["/srv/v2k"]);
  assert.equal(lists().length, 2);
  state.dispose();
});
