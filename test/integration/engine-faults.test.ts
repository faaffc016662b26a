// Bad input and faults, end to end through the built CLI against the lab. Each case checks the
// error code, its hint, the exit status, that the manifest stays consistent, and that no snapshot
// of ours is left on the VM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  fails,
  noGo,
  hashImage,
  helper,
  HELPER,
  labHash,
  labWrite,
  ok,
  ourSnapshotsOnVm,
  qemuNbdServing,
  readManifestFile,
  startLab,
  tempDir,
  type Lab,
} from "./engine-support";

const MiB = 1024 * 1024;

function pids(pattern: string): number[] {
  const r = spawnSync("pgrep", ["-f", pattern], { encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean).map(Number);
}

/** Start a slow sync and, once the disk copy runs, do something to it (kill a server, signal, expire). */
async function syncAndDo(
  env: Record<string, string>,
  wd: string[],
  action: (helperPid: number) => void | Promise<void>,
): Promise<Record<string, any>> {
  const child = spawn(HELPER, ["--json", ...wd, "sync", "incr", "--jobs", "1", "--chunk", "64K"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let fired = false;
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (!fired && /changed areas/.test(out)) {
      fired = true;
      void action(child.pid!);
    }
  });
  await new Promise((r) => child.on("close", r));
  const lines = out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.ok(fired, `the copy started: ${out.slice(-500)}`);
  return { status: child.exitCode, result: lines.at(-1), events: lines };
}

/** Kill the victim as soon as it serves the copy (polled, so a busy host does not win the race). */
async function syncAndKill(env: Record<string, string>, wd: string[], victim: string): Promise<Record<string, any>> {
  let killed = 0;
  const r = await syncAndDo(env, wd, async () => {
    // kill once the server has run for a moment (serving the copy), not while it starts up
    const deadline = Date.now() + 30_000;
    let seenAt = 0;
    while (Date.now() < deadline && killed === 0) {
      const found = pids(victim);
      if (found.length > 0 && seenAt === 0) seenAt = Date.now();
      if (found.length > 0 && Date.now() - seenAt >= 300) {
        for (const p of found) process.kill(p, "SIGKILL");
        killed = found.length;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  assert.ok(killed > 0, `${victim} was found and killed`);
  return r;
}

test("engine bad input and faults", { timeout: 480_000 }, async (t) => {
  const lab: Lab = await startLab(t);
  const env = lab.env;
  const base = tempDir(t, "v2k-e2e-faults-");
  const dst = join(base, "dst");
  mkdirSync(dst);
  let n = 0;
  const newWd = () => join(base, `wd-${n++}`);

  await t.test("unknown VM", async () => {
    const w = newWd();
    await fails(["--workdir", w, "init", "--vm", "no-such-vm", "--dst", dst], "VM_NOT_FOUND", { env });
    assert.equal(existsSync(w), false, "no workdir for a failed init");
  });

  await t.test("wrong password (and it is never echoed)", async () => {
    const r = await fails(["--workdir", newWd(), "init", "--vm", "web01", "--dst", dst], "LOGIN_FAILED", {
      env: { ...env, GOVC_PASSWORD: "Wrong-Secret-77" },
    });
    assert.doesNotMatch(JSON.stringify(r.events) + r.stderr, /Wrong-Secret-77/);
  });

  await t.test("unreachable vCenter", async () => {
    await fails(["--workdir", newWd(), "init", "--vm", "web01", "--dst", dst], "VCENTER_UNREACHABLE", {
      env: { ...env, GOVC_URL: "https://127.0.0.2:9/sdk" },
    });
  });

  await t.test("untrusted vCenter: wrong or missing thumbprint; --insecure is recorded", async () => {
    const wrong = await fails(["--workdir", newWd(), "init", "--vm", "web01", "--dst", dst], "TLS_UNTRUSTED", {
      env: { ...env, GOVC_THUMBPRINT: "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33" },
    });
    assert.match(wrong.result.error.hint + wrong.result.error.message, new RegExp(lab.thumbprint));
    const none = await fails(["--workdir", newWd(), "init", "--vm", "web01", "--dst", dst], "TLS_UNTRUSTED", {
      env: { ...env, GOVC_THUMBPRINT: "" },
    });
    assert.match(none.result.error.hint, new RegExp(`GOVC_THUMBPRINT=${lab.thumbprint}`));
    const w = newWd();
    await ok(["--workdir", w, "init", "--vm", "web01", "--dst", dst, "--insecure"], { env: { ...env, GOVC_THUMBPRINT: "" } });
    const m = readManifestFile(w);
    assert.equal(m.vcenter.insecure, true);
    assert.ok(m.warnings.some((x: { code: string }) => x.code === "TLS_INSECURE"));
  });

  await t.test("python3 without pyvmomi: PYVMOMI_MISSING; preflight lists it as a failed check", async () => {
    const py = join(base, "python-without-pyvmomi");
    writeFileSync(py, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n', { mode: 0o755 });
    await fails(["--workdir", newWd(), "init", "--vm", "web01", "--dst", dst], "PYVMOMI_MISSING", { env: { ...env, V2K_PYTHON: py } });
    const pre = await noGo(["preflight", "--vm", "web01", "--dst", dst], { env: { ...env, V2K_PYTHON: py } });
    assert.equal(pre.go, false);
    const tools = pre.checks.find((c: { id: string }) => c.id === "host-tools");
    assert.equal(tools.status, "fail");
    assert.match(tools.reason, /pyvmomi/);
  });

  await t.test("credentials in --vcenter are refused (they would show in ps)", async () => {
    await fails(["--workdir", newWd(), "init", "--vm", "web01", "--dst", dst, "--vcenter", "https://u:p@127.0.0.2/sdk"], "USAGE", { env });
  });

  await t.test("default workdir: <state dir>/<vm>/<run id>, mode 0700", async () => {
    const state = join(base, "state");
    const r = await ok(["init", "--vm", "web01", "--dst", dst], { env: { ...env, V2K_STATE_DIR: state } });
    assert.match(r.workdir, new RegExp(`^${state}/web01/\\d{8}-\\d{6}-[0-9a-f]{6}$`));
    assert.equal(statSync(r.workdir).mode & 0o777, 0o700);
    assert.equal(statSync(join(state, "web01")).mode & 0o777, 0o700);
  });

  await t.test("bad and foreign workdirs", async () => {
    await fails(["--workdir", join(base, "missing"), "sync", "base"], "WORKDIR_INVALID", { env });
    await fails(["sync", "base"], "USAGE", { env });
    const foreign = join(base, "foreign");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "notes.txt"), "not ours");
    await fails(["--workdir", foreign, "init", "--vm", "web01", "--dst", dst], "WORKDIR_FOREIGN", { env });
    await fails(["--workdir", foreign, "sync", "base"], "WORKDIR_FOREIGN", { env });
    assert.deepEqual(readdirSync(foreign), ["notes.txt"], "a foreign directory is left untouched");
    const w = newWd();
    await ok(["--workdir", w, "init", "--vm", "web01", "--dst", dst], { env });
    await fails(["--workdir", w, "init", "--vm", "win01", "--dst", dst], "WORKDIR_EXISTS", { env });
  });

  await t.test("corrupt manifest: reported, nothing overwritten, nothing done on VMware", async () => {
    const w = newWd();
    await ok(["--workdir", w, "init", "--vm", "web01", "--dst", dst], { env });
    writeFileSync(join(w, "manifest.json"), '{"schemaVersion": 1, "kind": "ablestack-v2k-run", "runId": ');
    await fails(["--workdir", w, "sync", "base"], "MANIFEST_CORRUPT", { env });
    assert.equal(readFileSync(join(w, "manifest.json"), "utf8"), '{"schemaVersion": 1, "kind": "ablestack-v2k-run", "runId": ');
    assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), []);
  });

  await t.test("DST missing or too small", async () => {
    await fails(["--workdir", newWd(), "init", "--vm", "web01", "--dst", join(base, "nope")], "DST_MISSING", { env });
    const small = join(base, "small");
    mkdirSync(small);
    assert.equal(spawnSync("mount", ["-t", "tmpfs", "-o", "size=16M", "tmpfs", small]).status, 0);
    try {
      const w = newWd();
      await fails(["--workdir", w, "init", "--vm", "web01", "--dst", small], "DST_TOO_SMALL", { env });
      assert.equal(existsSync(w), false);
    } finally {
      spawnSync("umount", [small]);
    }
  });

  // win01: one 2 GiB disk, used by the sync-phase faults below
  const W = newWd();
  const wd = ["--workdir", W];
  await t.test("CBT not active: sync before 'cbt enable' is refused before any snapshot", async () => {
    await ok([...wd, "init", "--vm", "win01", "--dst", dst], { env });
    await fails([...wd, "sync", "base"], "CBT_NOT_ACTIVE", { env });
    const m = readManifestFile(W);
    assert.deepEqual(m.rounds, []);
    assert.equal(m.lastError.code, "CBT_NOT_ACTIVE");
    assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
  });

  await t.test("missing host tool (PATH without qemu-nbd)", async () => {
    await ok([...wd, "cbt", "enable"], { env });
    const bin = join(base, "bin");
    mkdirSync(bin);
    for (const tool of ["nbdkit", "qemu-img"]) {
      const where = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(where, join(bin, tool));
    }
    await fails([...wd, "sync", "base"], "TOOL_MISSING", {
      env: { ...env, PATH: bin },
      command: [process.execPath, join(process.cwd(), "dist/helper/ablestack_v2k.mjs")],
    });
    const m = readManifestFile(W);
    assert.equal(m.rounds.at(-1).status, "failed");
    for (const d of m.disks) assert.equal(d.syncedChangeId, null, "nothing committed");
    assert.ok(m.snapshots.every((s: { state: string }) => s.state === "removed" || s.state === "failed"));
    assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
  });

  await t.test("snapshot task failure, then a clean re-run", async () => {
    await ok([
      "lab",
      "fault",
      "--dir",
      lab.dir,
      "--kind",
      "task-failure",
      "--task",
      "CreateSnapshot",
      "--message",
      "injected: datastore busy",
    ]);
    const r = await fails([...wd, "sync", "base"], "SNAPSHOT_FAILED", { env });
    assert.match(r.result.error.message, /datastore busy/);
    const m = readManifestFile(W);
    assert.equal(m.snapshots.at(-1).state, "failed");
    assert.equal(m.rounds.at(-1).status, "failed");
    assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
    const res = await ok([...wd, "sync", "base"], { env });
    assert.equal(res.alreadySynced, false);
    const d = readManifestFile(W).disks[0];
    assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, "win01", 0));
  });

  await t.test("QCDA paging: many small pages still cover the whole disk", async () => {
    await ok(["lab", "fault", "--dir", lab.dir, "--kind", "qcda-page-size", "--count", "1"]);
    for (const [i, off] of [5, 900, 1900].entries()) await labWrite(lab, "win01", 0, off * MiB, 64 * 1024, 600 + i);
    const r = await helper([...wd, "sync", "incr"], { env });
    assert.equal(r.result.ok, true, JSON.stringify(r.result));
    const calls = r.events
      .filter((e) => e.type === "log" && /QCDA call/.test(e.message))
      .map((e) => Number(/(\d+) QCDA call/.exec(e.message)![1]));
    assert.ok(calls[0]! >= 3, `several QCDA pages (${calls})`);
    await ok(["lab", "fault", "--dir", lab.dir, "--kind", "qcda-page-size", "--count", "2000"]);
    const d = readManifestFile(W).disks[0];
    assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, "win01", 0));
  });

  // (nbdkit dying mid-copy is retried by the helper: see source-retry.test.ts)
  for (const [name, victim, code] of [["qemu-nbd", "qemu-nbd.*win01-disk0", "NBD_TARGET_FAILED"]] as const) {
    await t.test(`${name} dying mid-copy`, async () => {
      const before = readManifestFile(W).disks[0].syncedChangeId;
      await labWrite(lab, "win01", 0, 1024 * MiB, 256 * MiB, name.length);
      const r = await syncAndKill(env, wd, victim);
      assert.equal(r.status, 1);
      assert.equal(r.result.ok, false);
      assert.equal(r.result.error.code, code, JSON.stringify(r.result.error));
      assert.ok(r.result.error.hint.length > 10);
      const m = readManifestFile(W);
      assert.equal(m.disks[0].syncedChangeId, before, "the changeId did not advance");
      assert.equal(m.rounds.at(-1).status, "failed");
      assert.equal(m.lastError.code, code);
      assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
      assert.equal(qemuNbdServing(m.disks[0].target.path), false);
      // the next run catches up and is byte-identical
      await ok([...wd, "sync", "incr"], { env });
      assert.equal(await hashImage(m.disks[0].target.path, m.disks[0].target.format), await labHash(lab, "win01", 0));
    });
  }

  await t.test(
    "a second helper is refused (WORKDIR_LOCKED); SIGTERM mid-copy: CANCELLED, round failed, snapshot removed, nothing committed",
    async () => {
      const before = readManifestFile(W).disks[0].syncedChangeId;
      await labWrite(lab, "win01", 0, 1200 * MiB, 256 * MiB, 77);
      let second: Awaited<ReturnType<typeof helper>> | undefined;
      const r = await syncAndDo(env, wd, async (pid) => {
        // a second helper on the same workdir while the first copies
        second = await helper([...wd, "sync", "incr"], { env });
        process.kill(pid, "SIGTERM");
      });
      assert.equal(second?.result.error?.code, "WORKDIR_LOCKED", JSON.stringify(second?.result));
      assert.equal(second?.status, 1);
      assert.equal(r.status, 1);
      assert.equal(r.result.error.code, "CANCELLED");
      const m = readManifestFile(W);
      assert.equal(m.disks[0].syncedChangeId, before);
      assert.equal(m.rounds.at(-1).status, "failed");
      assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
      assert.equal(qemuNbdServing(m.disks[0].target.path), false);
    },
  );

  // (a vCenter session expiring mid-copy is logged in again and finishes byte-identical: see source-retry.test.ts)

  await t.test("vddk transport without the nbdkit vddk plugin: TOOL_MISSING, no snapshot left", async () => {
    const w = newWd();
    await ok(["--workdir", w, "init", "--vm", "web01", "--dst", dst, "--transport", "vddk"], { env });
    await ok(["--workdir", w, "cbt", "enable"], { env });
    const r = await fails(["--workdir", w, "sync", "base"], "TOOL_MISSING", { env });
    assert.match(r.result.error.message + r.result.error.hint, /vddk/i);
    assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), []);
    assert.equal(readManifestFile(w).rounds.at(-1).status, "failed");
  });

  await t.test("a user snapshot taken mid-migration stops the http round; it is never touched", async () => {
    const { VsphereBridge } = await import("../../src/helper/vsphere/index");
    const [host, port] = new URL(lab.url).host.split(":");
    const user = await VsphereBridge.connect({
      url: lab.url,
      host: host!,
      port: Number(port),
      username: lab.username,
      password: lab.password,
      thumbprint: lab.thumbprint,
      insecure: false,
    });
    try {
      const vm = readManifestFile(W).vm.moref;
      const snap = (await user.snapshotCreate(vm, "admin-before-patch", "taken by an admin")).moref;
      const r = await fails([...wd, "sync", "incr"], "SNAPSHOT_FAILED", { env });
      assert.match(r.result.error.message, /admin-before-patch/);
      assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
      assert.deepEqual(
        (await user.vmState(vm)).snapshots.map((s) => s.moref),
        [snap],
        "the user's snapshot is still there",
      );
      await user.snapshotRemove(snap);
    } finally {
      await user.close();
    }
    await ok([...wd, "sync", "incr"], { env });
  });

  await t.test("crash between the snapshot task and the manifest write: found again by its exact name", async () => {
    await labWrite(lab, "win01", 0, 33 * MiB, MiB, 91);
    const snap = await ok([...wd, "snapshot", "incr"], { env });
    // what a helper killed right after CreateSnapshot_Task started leaves behind: the intent only
    const m = readManifestFile(W);
    const rec = m.snapshots.at(-1);
    assert.equal(rec.moref, snap.snapshot);
    rec.moref = null;
    rec.state = "creating";
    writeFileSync(join(W, "manifest.json"), JSON.stringify(m, null, 2));
    const res = await ok([...wd, "sync", "incr"], { env });
    assert.equal(res.snapshot, snap.snapshot, "the existing snapshot is adopted, no second one is created");
    assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), []);
    const d = readManifestFile(W).disks[0];
    assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, "win01", 0));
  });

  await t.test("target disk full", async () => {
    const full = join(base, "full");
    mkdirSync(full);
    assert.equal(spawnSync("mount", ["-t", "tmpfs", "-o", "size=130M", "tmpfs", full]).status, 0);
    try {
      await targetFull(full);
    } finally {
      spawnSync("umount", [full]);
    }
  });
  await t.test("a snapshot whose create was given up on but completed later is adopted and removed by cleanup", async () => {
    const snap = await ok([...wd, "snapshot", "incr"], { env });
    // what a create task that timed out (or whose helper was killed) leaves: a failed intent, no moref
    const m = readManifestFile(W);
    const rec = m.snapshots.at(-1);
    assert.equal(rec.moref, snap.snapshot);
    rec.moref = null;
    rec.state = "failed";
    writeFileSync(join(W, "manifest.json"), JSON.stringify(m, null, 2));
    assert.deepEqual((await ourSnapshotsOnVm(lab, "win01")).length, 1);
    await ok([...wd, "cleanup", "--keep-workdir"], { env });
    assert.deepEqual(await ourSnapshotsOnVm(lab, "win01"), [], "the late snapshot is ours and is gone");
    const after = readManifestFile(W).snapshots.find((x: { name: string }) => x.name === rec.name);
    assert.equal(after.state, "removed");
    assert.equal(after.moref, snap.snapshot);
  });

  async function targetFull(full: string) {
    const w = newWd();
    await ok(["--workdir", w, "init", "--vm", "boot01", "--dst", full, "--target-format", "raw"], { env });
    await ok(["--workdir", w, "cbt", "enable"], { env });
    // leave 2 MiB: less than boot01's data
    assert.equal(spawnSync("fallocate", ["-l", String(128 * MiB), join(full, "filler")]).status, 0);
    await fails(["--workdir", w, "sync", "base"], "TARGET_FULL", { env });
    const m = readManifestFile(w);
    assert.equal(m.disks[0].syncedChangeId, null);
    assert.equal(m.rounds.at(-1).status, "failed");
    assert.deepEqual(await ourSnapshotsOnVm(lab, "boot01"), []);
  }
});
