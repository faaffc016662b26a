// Disk access: every target kind (file qcow2/raw, block, rbd with and without cephx) is the same spec,
// qemu filename and format for sync (writable qemu-nbd), verify (read-only qemu-nbd), the boot check
// (overlay backing) and cleanup (leftover matching); real qemu-nbd for the file targets; the re-login retry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { type Disk } from "../../../src/shared/manifest";
import { RBD_TUNING_DEFAULTS } from "../../../src/shared/requests/commands";
import { V2kError } from "../../../src/shared/v2k-error";
import { NbdSource, PrivateDir, qemuNbdArgs, type QemuTargetSpec } from "../../../src/helper/endpoints/index";
import {
  copyTuningFor,
  findImageServers,
  openDiskTarget,
  qemuFilenameOf,
  qemuFormatOf,
  targetSpecOf,
  withSourceRetry,
  type SourceRetryEvent,
  type RunManifest,
} from "../../../src/helper/disk-access/index";
import { findLeftoverProcesses } from "../../../src/helper/cleanup/processes";

const M = 1024 * 1024;
type Kind = {
  name: string;
  disk: Pick<Disk, "key" | "target">;
  m: RunManifest;
  spec: QemuTargetSpec;
  filename: string;
  format: "qcow2" | "raw";
};

const base = { dir: "/t", transport: "http" as const };
const runId = "20260101-000000-abcdef";
const kinds: Kind[] = [
  {
    name: "file qcow2",
    disk: { key: 2000, target: { path: "/t/web01-disk0.qcow2", format: "qcow2", mode: "file" } },
    m: { runId, target: { ...base, format: "qcow2", mode: "file" } },
    spec: { kind: "file", path: "/t/web01-disk0.qcow2", format: "qcow2" },
    filename: "/t/web01-disk0.qcow2",
    format: "qcow2",
  },
  {
    name: "file raw",
    disk: { key: 2001, target: { path: "/t/web01-disk1.raw", format: "raw", mode: "file" } },
    m: { runId, target: { ...base, format: "raw", mode: "file" } },
    spec: { kind: "file", path: "/t/web01-disk1.raw", format: "raw" },
    filename: "/t/web01-disk1.raw",
    format: "raw",
  },
  {
    name: "block",
    disk: { key: 2002, target: { path: "/dev/vg0/web01", format: "raw", mode: "block" } },
    m: { runId, target: { ...base, format: "raw", mode: "block" } },
    spec: { kind: "block", device: "/dev/vg0/web01" },
    filename: "/dev/vg0/web01",
    format: "raw",
  },
  {
    name: "rbd, auth none",
    disk: { key: 2003, target: { path: "rbd:v2k/web01-disk0", format: "raw", mode: "rbd" } },
    m: { runId, target: { ...base, format: "raw", mode: "rbd", ceph: { conf: "/etc/ceph/ceph.conf", id: "admin", pool: "v2k" } } },
    spec: { kind: "rbd", pool: "v2k", image: "web01-disk0", conf: "/etc/ceph/ceph.conf", user: "admin" },
    filename: "rbd:v2k/web01-disk0:conf=/etc/ceph/ceph.conf:id=admin",
    format: "raw",
  },
  {
    name: "rbd, cephx",
    disk: { key: 2004, target: { path: "rbd:vms/web01-disk0", format: "raw", mode: "rbd" } },
    m: {
      runId,
      target: {
        ...base,
        format: "raw",
        mode: "rbd",
        ceph: { conf: "/etc/ceph/c:x.conf", id: "v2k", pool: "vms", secretUuid: "6f1b0d1e-0000-4000-8000-000000000001" },
      },
    },
    spec: { kind: "rbd", pool: "vms", image: "web01-disk0", conf: "/etc/ceph/c:x.conf", user: "v2k" },
    filename: "rbd:vms/web01-disk0:conf=/etc/ceph/c\\:x.conf:id=v2k",
    format: "raw",
  },
];

for (const k of kinds) {
  test(`${k.name}: one spec, filename and format for sync, verify, the boot check and cleanup`, () => {
    assert.deepEqual(targetSpecOf(k.disk, k.m), k.spec);
    // sync: the writable spec only adds the size a missing file or image is created with
    const { createSize, ...writable } = targetSpecOf(k.disk, k.m, { createSize: 8 * M }) as QemuTargetSpec & { createSize?: number };
    assert.deepEqual(writable, k.spec);
    assert.equal(createSize, k.spec.kind === "block" ? undefined : 8 * M, "block devices are never created");
    assert.equal(qemuFilenameOf(k.disk, k.m), k.filename);
    assert.equal(qemuFormatOf(k.disk, k.m), k.format);
    const dir = new PrivateDir("v2k-test-");
    try {
      const tuning = { cache: "writeback" as const, aio: "threads" as const };
      const write = qemuNbdArgs(targetSpecOf(k.disk, k.m, { createSize: 8 * M }), dir, tuning);
      const read = qemuNbdArgs({ ...targetSpecOf(k.disk, k.m), readOnly: true }, dir, tuning);
      // sync's and verify's qemu-nbd serve the same image in the same format; only verify's is read-only
      for (const argv of [write, read]) {
        assert.equal(argv.at(-1), k.filename);
        assert.ok(argv.includes(`--format=${k.format}`));
      }
      assert.ok(read.includes("--read-only") && !read.includes("--discard=unmap"));
      assert.ok(!write.includes("--read-only"));
    } finally {
      dir.remove();
    }
  });
}

test("copies into Ceph RBD default to more, smaller requests; what the admin gives wins; other kinds keep the engine's defaults", () => {
  for (const k of kinds) {
    const tuning = copyTuningFor(k.disk, {});
    if (k.disk.target.mode === "rbd")
      assert.deepEqual(tuning, { requests: RBD_TUNING_DEFAULTS.requests, chunkSize: RBD_TUNING_DEFAULTS.chunkSize }, k.name);
    else assert.deepEqual(tuning, {}, k.name);
    assert.deepEqual(copyTuningFor(k.disk, { jobs: 3, chunkSize: 2 * M }), { requests: 3, chunkSize: 2 * M }, k.name);
    assert.deepEqual(copyTuningFor(k.disk, { jobs: 5 }).requests, 5, k.name);
  }
  assert.ok(kinds.some((k) => k.disk.target.mode === "rbd"));
});

test("an RBD copy keeps 16 MiB in flight in requests of at most 1 MiB: 32 MiB in flight measured slower", () => {
  const rbd = kinds.find((k) => k.disk.target.mode === "rbd")!;
  const t = copyTuningFor(rbd.disk, {});
  assert.ok(t.requests !== undefined && t.chunkSize !== undefined);
  assert.equal(t.requests * t.chunkSize, 16 * M);
  assert.ok(t.chunkSize <= M && t.requests >= 16, `${t.requests} x ${t.chunkSize}`);
});

test("a qcow2 and a raw file: written through the writable open, read back through the read-only one", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-disk-access-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const format of ["qcow2", "raw"] as const) {
    const disk = { key: 2000, target: { path: join(dir, `disk.${format}`), format, mode: "file" as const } };
    const m: RunManifest = { runId, target: { dir, format, mode: "file", transport: "http" } };
    const data = randomBytes(M);
    const w = await openDiskTarget(disk, m, { size: 4 * M });
    try {
      assert.equal(w.size, 4 * M);
      await w.target.write(M, data);
      await w.target.flush();
    } finally {
      await w.close();
    }
    const r = await openDiskTarget(disk, m, { readOnly: true });
    try {
      assert.ok(r.source instanceof NbdSource && r.source.client.info.readOnly, "the verify export is read-only");
      assert.ok((await r.source.read(M, M)).equals(data));
      assert.match(r.source.label, new RegExp(`qemu-nbd \\(read-only\\) ${format}`));
    } finally {
      await r.close();
    }
    // the writable open grows a target to the source size; the read-only one sees the new size
    const g = await openDiskTarget(disk, m, { size: 6 * M });
    await g.close();
    const r2 = await openDiskTarget(disk, m, { readOnly: true });
    assert.equal(r2.size, 6 * M);
    await r2.close();
  }
});

test("the read-only open never creates a missing target: DST_MISSING", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-disk-access-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const disk = { key: 2000, target: { path: join(dir, "missing.qcow2"), format: "qcow2" as const, mode: "file" as const } };
  await assert.rejects(
    openDiskTarget(disk, { runId, target: { dir, format: "qcow2", mode: "file", transport: "http" } }, { readOnly: true }),
    (e: unknown) => e instanceof V2kError && e.code === "DST_MISSING",
  );
  assert.equal(existsSync(disk.target.path), false);
});

test("a qemu-nbd left serving the target (helper killed with -9) is found by cleanup and stopped before an open", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-disk-access-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const disk = { key: 2000, target: { path: join(dir, "disk.qcow2"), format: "qcow2" as const, mode: "file" as const } };
  const m: RunManifest = { runId, target: { dir, format: "qcow2", mode: "file", transport: "http" } };
  await (await openDiskTarget(disk, m, { size: M })).close();
  const leftover = spawn("qemu-nbd", [`--socket=${join(dir, "s")}`, "--persistent", "--format=qcow2", qemuFilenameOf(disk, m)], {
    stdio: "ignore",
  });
  t.after(() => leftover.kill("SIGKILL"));
  const exited = new Promise((r) => leftover.once("exit", r));
  const deadline = Date.now() + 10_000;
  while (findImageServers(qemuFilenameOf(disk, m)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(findImageServers(qemuFilenameOf(disk, m)), [leftover.pid]);
  // cleanup names the same process from the same filename
  assert.deepEqual(
    findLeftoverProcesses("/nonexistent-workdir", [qemuFilenameOf(disk, m)]).map((p) => p.pid),
    [leftover.pid],
  );
  const r = await openDiskTarget(disk, m, { readOnly: true });
  await r.close();
  await exited;
  assert.deepEqual(findImageServers(qemuFilenameOf(disk, m)), []);
});

test("the writable open stops a leftover qemu-nbd it meets by its lock; a lock held by another program stays an error", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-disk-access-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const disk = { key: 2000, target: { path: join(dir, "disk.qcow2"), format: "qcow2" as const, mode: "file" as const } };
  const m: RunManifest = { runId, target: { dir, format: "qcow2", mode: "file", transport: "http" } };
  await (await openDiskTarget(disk, m, { size: M })).close();
  const serve = () =>
    spawn("qemu-nbd", [`--socket=${join(dir, "s")}`, "--persistent", "--format=qcow2", disk.target.path], { stdio: "ignore" });
  const leftover = serve();
  t.after(() => leftover.kill("SIGKILL"));
  const exited = new Promise((r) => leftover.once("exit", r));
  const deadline = Date.now() + 10_000;
  while (findImageServers(disk.target.path).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const w = await openDiskTarget(disk, m, { size: M });
  assert.equal(w.size, M);
  await w.close();
  await exited;
  // qemu-io is no leftover server of ours: its lock is reported, nothing is killed
  const holder = spawn("qemu-io", ["-f", "qcow2", disk.target.path], { stdio: ["pipe", "ignore", "ignore"] });
  t.after(() => holder.kill("SIGKILL"));
  await new Promise((r) => setTimeout(r, 500));
  await assert.rejects(
    openDiskTarget(disk, m, { size: M }),
    (e: unknown) => e instanceof V2kError && e.code === "TARGET_IO" && /in use by another process/.test(e.message),
  );
  assert.equal(holder.exitCode, null, "the other program still runs");
});

test("source retry: at once after a new login, with doubling backoff after a reset, bounded; never other errors or after an abort", async () => {
  const failed = () => new V2kError("NBD_SOURCE_FAILED", "read failed", "h");
  const bridge = (relogs: boolean) => ({
    relogins: 0,
    async ping() {
      if (relogs) this.relogins++;
    },
  });
  const calls: boolean[] = [];
  const work = async (retry: boolean) => {
    calls.push(retry);
    if (!retry) throw failed();
    return "copied";
  };
  const retries: [number, number, number][] = [];
  const o = { backoffMs: 1, onRetry: (e: SourceRetryEvent) => void retries.push([e.attempt, e.attempts, e.delayMs]) };
  let warned = 0;
  assert.equal(await withSourceRetry(bridge(true), work, { ...o, onRelogin: () => void warned++ }), "copied");
  assert.deepEqual(calls, [false, true]);
  assert.equal(warned, 1);
  assert.deepEqual(retries, [], "a new login retries at once");
  // no new login (a reset connection): backoff retries
  calls.length = 0;
  assert.equal(await withSourceRetry(bridge(false), work, o), "copied");
  assert.deepEqual(calls, [false, true]);
  assert.deepEqual(retries, [[2, 4, 1]]);
  // a reset that persists: 4 attempts, backoff doubling, then the error stands
  calls.length = 0;
  retries.length = 0;
  const always = async (retry: boolean) => {
    calls.push(retry);
    throw failed();
  };
  await assert.rejects(withSourceRetry(bridge(false), always, o), (e: unknown) => e instanceof V2kError && e.code === "NBD_SOURCE_FAILED");
  assert.deepEqual(calls, [false, true, true, true]);
  assert.deepEqual(retries, [
    [2, 4, 1],
    [3, 4, 2],
    [4, 4, 4],
  ]);
  // the datastore refuses the session even without a new login possible: no backoff loop
  calls.length = 0;
  const refused = async (retry: boolean) => {
    calls.push(retry);
    throw new V2kError("SESSION_EXPIRED", "401", "h");
  };
  await assert.rejects(withSourceRetry(bridge(false), refused, o), (e: unknown) => e instanceof V2kError && e.code === "SESSION_EXPIRED");
  assert.deepEqual(calls, [false]);
  // other errors are not retried
  calls.length = 0;
  await assert.rejects(
    withSourceRetry(bridge(true), async (retry) => {
      calls.push(retry);
      throw new V2kError("TARGET_FULL", "full", "h");
    }),
    (e: unknown) => e instanceof V2kError && e.code === "TARGET_FULL",
  );
  assert.deepEqual(calls, [false]);
  const ac = new AbortController();
  ac.abort();
  calls.length = 0;
  await assert.rejects(withSourceRetry(bridge(true), work, { signal: ac.signal }));
  assert.deepEqual(calls, [false]);
  // an abort during the backoff ends the wait
  const ac2 = new AbortController();
  setTimeout(() => ac2.abort(), 50);
  const t0 = Date.now();
  await assert.rejects(
    withSourceRetry(bridge(false), always, { signal: ac2.signal, backoffMs: 60_000 }),
    (e: unknown) => e instanceof V2kError && e.code === "CANCELLED",
  );
  assert.ok(Date.now() - t0 < 5000);
});
