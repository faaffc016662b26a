import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Emitter } from "../../../src/kit/emitter";
import { Workdir, withWorkdir, lastEventSeq, eventsLogPath, readManifest } from "../../../src/helper/state/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { sampleManifest, tempDir } from "./fixtures";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof V2kError);
    return e.code;
  }
  return "none";
};

test("create makes a 0700 workdir with manifest and events.log; open continues the event sequence", async (t) => {
  const root = tempDir(t);
  const dir = join(root, "web01", "run1");
  const e1 = new Emitter();
  const wd = Workdir.create(dir, sampleManifest(), e1, "init");
  e1.log("info", "init", "one");
  e1.log("info", "init", "two");
  wd.release();
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(lastEventSeq(eventsLogPath(dir)), 1);

  const e2 = new Emitter();
  await withWorkdir(dir, e2, "status", async (w) => {
    e2.log("info", "x", "three");
    await w.update((m) => {
      m.phase = "cbt-enabled";
    });
  });
  const seqs = readFileSync(eventsLogPath(dir), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l).seq);
  assert.deepEqual(seqs, [0, 1, 2]);
  assert.equal(readManifest(dir).manifest.phase, "cbt-enabled");
  assert.equal(existsSync(join(dir, ".lock")), false);
});

test("a torn last line in events.log does not swallow the next event", async (t) => {
  const dir = join(tempDir(t), "w");
  Workdir.create(dir, sampleManifest(), new Emitter(), "init").release();
  appendFileSync(eventsLogPath(dir), '{"ts":"x","seq":0,"type":"log","lev');
  const e = new Emitter();
  await withWorkdir(dir, e, "t", async () => {
    e.log("info", "t", "after crash");
  });
  const last = readFileSync(eventsLogPath(dir), "utf8").trim().split("\n").at(-1)!;
  assert.equal(JSON.parse(last).message, "after crash");
});

test("withWorkdir records the error in lastError, releases the lock, and rethrows", async (t) => {
  const dir = join(tempDir(t), "w");
  Workdir.create(dir, sampleManifest(), new Emitter(), "init").release();
  await assert.rejects(
    withWorkdir(dir, new Emitter(), "sync", async () => {
      throw new V2kError("TARGET_FULL", "no space", "free some");
    }),
    (e) => e instanceof V2kError && e.code === "TARGET_FULL",
  );
  assert.equal(readManifest(dir).manifest.lastError?.code, "TARGET_FULL");
  assert.equal(existsSync(join(dir, ".lock")), false);
  await withWorkdir(dir, new Emitter(), "sync", async () => undefined);
  assert.equal(readManifest(dir).manifest.lastError, null);
});

test("create refuses existing runs and foreign directories; open refuses missing, empty and foreign ones", (t) => {
  const root = tempDir(t);
  const ours = join(root, "ours");
  Workdir.create(ours, sampleManifest(), new Emitter(), "init").release();
  assert.equal(
    codeOf(() => Workdir.create(ours, sampleManifest(), new Emitter(), "init")),
    "WORKDIR_EXISTS",
  );
  const foreign = join(root, "foreign");
  mkdirSync(foreign);
  writeFileSync(join(foreign, "notes.txt"), "hello");
  assert.equal(
    codeOf(() => Workdir.create(foreign, sampleManifest(), new Emitter(), "init")),
    "WORKDIR_FOREIGN",
  );
  assert.equal(
    codeOf(() => Workdir.open(foreign, new Emitter(), "sync")),
    "WORKDIR_FOREIGN",
  );
  assert.equal(existsSync(join(foreign, ".lock")), false, "no lock file left in a foreign directory");
  assert.equal(
    codeOf(() => Workdir.open(join(root, "missing"), new Emitter(), "sync")),
    "WORKDIR_INVALID",
  );
  const empty = join(root, "empty");
  mkdirSync(empty);
  assert.equal(
    codeOf(() => Workdir.open(empty, new Emitter(), "sync")),
    "WORKDIR_INVALID",
  );
  // an empty directory is fine for create
  Workdir.create(empty, sampleManifest(), new Emitter(), "init").release();
});

test("a corrupt manifest is reported and never overwritten by open", (t) => {
  const dir = join(tempDir(t), "w");
  Workdir.create(dir, sampleManifest(), new Emitter(), "init").release();
  writeFileSync(join(dir, "manifest.json"), "garbage{");
  assert.equal(
    codeOf(() => Workdir.open(dir, new Emitter(), "sync")),
    "MANIFEST_CORRUPT",
  );
  assert.equal(readFileSync(join(dir, "manifest.json"), "utf8"), "garbage{");
});

test("two opens of one workdir in parallel: the second gets WORKDIR_LOCKED", (t) => {
  const dir = join(tempDir(t), "w");
  const first = Workdir.create(dir, sampleManifest(), new Emitter(), "init");
  t.after(() => first.release());
  assert.equal(
    codeOf(() => Workdir.open(dir, new Emitter(), "sync")),
    "WORKDIR_LOCKED",
  );
});

test("concurrent updates (parallel disks) are serialised: none is lost", async (t) => {
  const dir = join(tempDir(t), "w");
  const wd = Workdir.create(dir, sampleManifest(), new Emitter(), "init");
  t.after(() => wd.release());
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      wd.update(async (m) => {
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        m.warnings.push({ at: "t", code: `W${i}`, message: "m" });
      }),
    ),
  );
  assert.equal(readManifest(dir).manifest.warnings.length, 20);
  // a failing update does not block the ones after it
  await assert.rejects(
    wd.update(() => {
      throw new Error("boom");
    }),
    /boom/,
  );
  await wd.update((m) => {
    m.phase = "cbt-enabled";
  });
  assert.equal(readManifest(dir).manifest.phase, "cbt-enabled");
});

test("a workdir opened again on the same emitter (run after its own init) logs each event once", (t) => {
  const dir = join(tempDir(t), "run1");
  const e = new Emitter();
  Workdir.create(dir, sampleManifest(), e, "init").release();
  const wd = Workdir.open(dir, e, "run");
  t.after(() => wd.release());
  e.log("info", "run", "once");
  const lines = readFileSync(eventsLogPath(dir), "utf8").trim().split("\n");
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { message: string }).message),
    ["once"],
  );
});
