// End to end through the built CLI against the lab: preflight (Go / No-Go), init, cbt enable, base,
// three incremental rounds with guest writes while the VM runs, a CBT reset that forces a rebase, and
// a kill -9 in the middle of a copy followed by a resumed run. After every round each target image
// must hash exactly like `lab disk-hash` of that round's snapshot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  noGo,
  hashImage,
  helper,
  HELPER,
  labHash,
  labVm,
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
type Write = [disk: number, offset: number, length: number, seed: number];

test("engine: preflight, init, cbt, base, incremental rounds, CBT reset rebase, kill -9 resume", { timeout: 480_000 }, async (t) => {
  const lab: Lab = await startLab(t);
  const env = lab.env;
  const dst = tempDir(t, "v2k-e2e-dst-");
  const W = join(tempDir(t, "v2k-e2e-wd-"), "web01-run");
  const wd = ["--workdir", W];

  async function targetHashes(): Promise<string[]> {
    const m = readManifestFile(W);
    return Promise.all(
      m.disks.map((d: { target: { path: string; format: "qcow2" | "raw" } }) => hashImage(d.target.path, d.target.format)),
    );
  }

  /** One round: guest writes, snapshot, expected hashes from that snapshot, more writes, sync, compare. */
  async function round(kind: "base" | "incr", before: Write[], during: Write[], syncArgs: string[] = []) {
    for (const w of before) await labWrite(lab, "web01", ...w);
    const snap = await ok([...wd, "snapshot", kind], { env });
    assert.match(snap.snapshot, /^snapshot-\d+$/);
    const expected = [await labHash(lab, "web01", 0, snap.snapshot), await labHash(lab, "web01", 1, snap.snapshot)];
    for (const w of during) await labWrite(lab, "web01", ...w); // the guest keeps writing during the sync
    const res = await ok([...wd, "sync", kind, ...syncArgs], { env });
    assert.equal(res.snapshot, snap.snapshot, "sync continues the round of the snapshot command");
    assert.deepEqual(await targetHashes(), expected, `round ${res.round}: targets equal the snapshot's content`);
    assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), [], "no snapshot of ours left behind");
    assert.equal((await labVm(lab, "web01")).powerState, "poweredOn", "the VM stays on");
    return res;
  }

  await t.test("preflight: web01 is Go, legacy01 is No-Go with reasons", async () => {
    const go = await ok(["preflight", "--vm", "web01", "--dst", dst], { env });
    assert.equal(go.go, true, JSON.stringify(go.checks));
    const ids = go.checks.map((c: { id: string }) => c.id);
    for (const id of [
      "tls",
      "login",
      "vm",
      "power-state",
      "cbt-disks",
      "snapshots",
      "layout",
      "firmware",
      "windows-hibernation",
      "host-tools",
      "dst-space",
    ])
      assert.ok(ids.includes(id), `check ${id} present`);
    for (const c of go.checks) assert.ok(["pass", "warn"].includes(c.status) && c.reason.length > 0);

    const nogo = await noGo(["preflight", "--vm", "legacy01", "--dst", dst], { env });
    assert.equal(nogo.go, false);
    const byId = Object.fromEntries(nogo.checks.map((c: { id: string }) => [c.id, c]));
    assert.equal(byId["cbt-disks"].status, "fail");
    assert.match(byId["cbt-disks"].reason, /independent/);
    assert.equal(byId["snapshots"].status, "fail");
    assert.match(byId["snapshots"].reason, /before-upgrade/);

    const win = await ok(["preflight", "--vm", "win01", "--dst", dst], { env });
    assert.equal(win.checks.find((c: { id: string }) => c.id === "windows-hibernation").status, "warn");
  });

  await t.test("init takes the inventory into a 0700 workdir; the password comes from stdin and is stored nowhere", async () => {
    const { GOVC_PASSWORD: _pw, ...noPassword } = env;
    const r = await helper([...wd, "init", "--vm", "web01", "--dst", dst, "--password-stdin"], {
      env: { ...noPassword, GOVC_PASSWORD: "" },
      input: lab.password + "\n",
    });
    assert.equal(r.result.ok, true, JSON.stringify(r.result));
    assert.equal(r.result.data.workdir, W);
    assert.equal(statSync(W).mode & 0o777, 0o700);
    const m = readManifestFile(W);
    assert.equal(m.phase, "initialized");
    assert.equal(m.vm.moref, "vm-101");
    assert.equal(m.disks.length, 2);
    assert.equal(m.vcenter.insecure, false);
    assert.equal(m.vcenter.thumbprint, lab.thumbprint);
    for (const f of ["manifest.json", "events.log"]) assert.doesNotMatch(readFileSync(join(W, f), "utf8"), new RegExp(lab.password));
    // idempotent for the same VM
    const again = await ok([...wd, "init", "--vm", "web01", "--dst", dst], { env });
    assert.equal(again.alreadyInitialized, true);
  });

  await t.test("cbt enable activates tracking with a recorded stun snapshot, removed again", async () => {
    const r = await ok([...wd, "cbt", "enable"], { env });
    assert.equal(r.active, true);
    assert.equal(r.stunned, true);
    const m = readManifestFile(W);
    assert.equal(m.phase, "cbt-enabled");
    assert.equal(m.cbt.enabledByUs, true);
    assert.deepEqual(
      m.snapshots.map((s: { purpose: string; state: string }) => [s.purpose, s.state]),
      [["cbt-stun", "removed"]],
    );
    assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), []);
    const again = await ok([...wd, "cbt", "enable"], { env });
    assert.equal(again.stunned, false, "idempotent: no second stun");
    const st = await ok([...wd, "cbt", "status"], { env });
    assert.equal(st.enabled, true);
    assert.equal(st.active, true);
    assert.deepEqual(
      st.disks.map((d: { key: number }) => d.key),
      [2000, 16000],
    );
    for (const d of st.disks) assert.match(d.changeId, /^[0-9a-f ]+-[0-9a-f ]+\/\d+$/);
  });

  await t.test("base copy equals the base snapshot", async () => {
    const res = await round("base", [[0, 300 * MiB, 2 * MiB, 7]], [[0, 300 * MiB, 1 * MiB, 8]]);
    assert.equal(res.round, 0);
    assert.equal(readManifestFile(W).phase, "base-synced");
    const again = await ok([...wd, "sync", "base"], { env });
    assert.equal(again.alreadySynced, true);
  });

  await t.test("three incremental rounds while the VM runs", async () => {
    const rounds: Write[][] = [
      [
        [0, 100 * MiB, 3 * MiB, 101],
        [1, 500 * MiB + 4097, 64 * 1024, 102],
      ],
      [
        [0, 2048 * MiB - MiB, MiB, 201],
        [1, 0, 256 * 1024, 202],
      ],
      [
        [1, 500 * MiB, MiB, 301],
        [0, 100 * MiB + 12345, 4096, 302],
      ],
    ];
    for (const [i, writes] of rounds.entries()) {
      const res = await round("incr", writes, [[0, (700 + i) * MiB, 512 * 1024, 900 + i]]);
      assert.equal(res.rebased.length, 0);
      const written = writes.reduce((s, w) => s + w[2], 0);
      assert.ok(res.changedBytes >= written, `changed ${res.changedBytes} >= written ${written}`);
      assert.ok(res.changedBytes < 64 * MiB, `incremental, not a full copy (${res.changedBytes})`);
    }
    const st = await ok([...wd, "status"]);
    assert.equal(st.phase, "incr-synced");
    assert.equal(st.lastRound.kind, "incr");
    assert.equal(st.lastRound.status, "synced");
    assert.ok(st.lastRound.durationMs > 0);
    for (const d of st.disks) assert.equal(d.syncedRound, st.lastRound.n);
  });

  await t.test("a CBT reset forces a rebase that still ends byte-identical", async () => {
    await ok(["lab", "fault", "--dir", lab.dir, "--kind", "cbt-reset", "--vm", "web01"]);
    const res = await round("incr", [[0, 40 * MiB, MiB, 401]], []);
    assert.ok(res.rebased.length >= 1, "at least one disk rebased");
    const m = readManifestFile(W);
    assert.ok(m.warnings.some((w: { code: string }) => w.code === "DISK_REBASE"));
    for (const d of m.disks) assert.equal(d.needsRebase, null);
    // the next round is incremental again
    const next = await round("incr", [[1, 3 * MiB, MiB, 402]], []);
    assert.equal(next.rebased.length, 0);
  });

  await t.test("kill -9 in the middle of a copy, then a re-run, ends byte-identical", async () => {
    await labWrite(lab, "web01", 0, 1024 * MiB, 192 * MiB, 501);
    const snap = await ok([...wd, "snapshot", "incr"], { env });
    const expected = [await labHash(lab, "web01", 0, snap.snapshot), await labHash(lab, "web01", 1, snap.snapshot)];
    const child = spawn(HELPER, ["--json", ...wd, "sync", "incr", "--jobs", "1", "--chunk", "64K"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no copy progress seen: ${out}`)), 120_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (/"type":"progress","disk":2000/.test(out) || /"step":"sync incr","message":"Hard disk 1: changed areas/.test(out)) {
          clearTimeout(timer);
          setTimeout(resolve, 400);
        }
      });
      child.on("close", () => reject(new Error(`sync ended before the kill: ${out}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    const m = readManifestFile(W);
    const open = m.rounds.at(-1);
    assert.equal(open.status, "syncing");
    assert.equal(open.disks["2000"].status, "copying", "killed while disk 2000 was copying");
    assert.ok(existsSync(join(W, ".lock")), "the killed helper's lock is left behind (stale)");
    assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), [snap.snapshot], "the round's snapshot survives the kill");

    const res = await ok([...wd, "sync", "incr"], { env });
    assert.equal(res.round, open.n, "the re-run resumes the same round");
    assert.deepEqual(await targetHashes(), expected);
    assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), []);
    for (const d of readManifestFile(W).disks) assert.equal(qemuNbdServing(d.target.path), false, "no qemu-nbd left");
    const seqs = readFileSync(join(W, "events.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).seq);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `events.log seq increases (${seqs[i - 1]} -> ${seqs[i]})`);
  });
});
