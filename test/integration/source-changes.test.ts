// What others do to the source while a migration runs, end to end through the built CLI against the
// lab: a snapshot removal of a killed helper still running when the next round starts, the disk grown
// between rounds, the VM powered off and on mid-copy by someone else, and the same VM migrated from a
// second workdir. Each ends byte-identical or refused with a code and a hint, never half-done.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  fails,
  hashImage,
  helper,
  labHash,
  labVm,
  labWrite,
  ok,
  ourSnapshotsOnVm,
  readManifestFile,
  startLab,
  tempDir,
  type Lab,
} from "./engine-support";
import { pyvmomi } from "../support/lab";
import { startHelper, waitFor } from "../support/helper-process";

const MiB = 1024 * 1024;

/** pyVmomi scripts of test/lab-py with the lab's credentials (an admin's vSphere client). */
const asAdmin = (lab: Lab, script: string, extra: object = {}) =>
  pyvmomi(script, { ...JSON.parse(readFileSync(join(lab.dir, "lab.json"), "utf8")), ...extra });
const adminOps = async (lab: Lab, ops: object[]) => (await asAdmin(lab, "ops.py", { ops })).results;

async function targetEqualsLab(lab: Lab, workdir: string, vm: string): Promise<void> {
  const m = readManifestFile(workdir);
  for (const [i, d] of m.disks.entries()) {
    assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, vm, i), `${vm} disk ${i} equals the lab's`);
  }
}

test("the source changes under a running migration", { timeout: 900_000 }, async (t) => {
  const lab = await startLab(t, "minimal");
  const env = lab.env;
  const base = tempDir(t, "v2k-source-changes-");
  let n = 0;
  const newRun = async (vm: string, dst = join(base, `dst-${n}`)) => {
    const W = join(base, `wd-${n++}`);
    mkdirSync(dst, { recursive: true });
    await ok(["--workdir", W, "init", "--vm", vm, "--dst", dst], { env });
    await ok(["--workdir", W, "cbt", "enable"], { env });
    await ok(["--workdir", W, "sync", "base"], { env });
    return W;
  };

  await t.test(
    "a snapshot removal of a killed helper still runs when the next round starts: it is waited for, no snapshot is created meanwhile",
    async () => {
      const W = await newRun("boot01");
      await labWrite(lab, "boot01", 0, 8 * MiB, 4 * MiB, 301);
      // the round's RemoveSnapshot task stays running 12 s; the helper is killed while it waits for it
      await ok(["lab", "fault", "--dir", lab.dir, "--kind", "slow-task", "--task", "RemoveSnapshot", "--ms", "12000"]);
      const first = startHelper(["--workdir", W, "sync", "incr"], { env });
      await waitFor("the round's snapshot removal to start", 120_000, () =>
        readManifestFile(W).snapshots.some((s: { state: string }) => s.state === "removing") ? true : undefined,
      );
      process.kill(first.pid, "SIGKILL");
      await first.done;
      const killedAt = Date.now();
      await labWrite(lab, "boot01", 0, 20 * MiB, 2 * MiB, 302);
      let most = 0;
      let watching = true;
      const watcher = (async () => {
        while (watching) {
          most = Math.max(most, (await ourSnapshotsOnVm(lab, "boot01")).length);
          await new Promise((r) => setTimeout(r, 150));
        }
      })();
      const next = await helper(["--workdir", W, "sync", "incr"], { env });
      watching = false;
      await watcher;
      assert.equal(next.result.ok, true, JSON.stringify(next.result));
      assert.ok(Date.now() - killedAt >= 8000, "the round waited for the running removal");
      assert.ok(most <= 1, `never more than one migration snapshot (${most})`);
      const { tasks } = await asAdmin(lab, "tasks.py");
      const removals = tasks.filter((x: { name: string }) => /removeSnapshot/.test(x.name));
      const slowRemoval = removals.find(
        (x: { started: string; completed: string }) => Date.parse(x.completed) - Date.parse(x.started) >= 11_000,
      );
      assert.ok(slowRemoval, `the slow removal is listed: ${JSON.stringify(removals)}`);
      const createdAfter = tasks.filter(
        (x: { name: string; queued: string }) => /createSnapshot/.test(x.name) && Date.parse(x.queued) >= Date.parse(slowRemoval.started),
      );
      assert.ok(createdAfter.length >= 1, "the next round took its snapshot");
      for (const c of createdAfter) {
        assert.ok(
          Date.parse(c.queued) >= Date.parse(slowRemoval.completed),
          `CreateSnapshot queued ${c.queued}, before the removal ended ${slowRemoval.completed}`,
        );
      }
      assert.deepEqual(await ourSnapshotsOnVm(lab, "boot01"), []);
      await targetEqualsLab(lab, W, "boot01");
    },
  );

  await t.test("the source disk grown between rounds: the target grows, that disk is copied in full, byte-identical", async () => {
    const W = await newRun("boot01");
    const vm = await labVm(lab, "boot01");
    const grown = vm.disks[0].capacityBytes + 64 * MiB;
    const r = await adminOps(lab, [{ op: "reconfig", vm: vm.moref, growDisk: { key: vm.disks[0].key, bytes: grown } }]);
    assert.equal(r[0].ok.state, "success", JSON.stringify(r));
    await labWrite(lab, "boot01", 0, grown - 3 * MiB, 2 * MiB, 303); // in the new part
    await labWrite(lab, "boot01", 0, 30 * MiB, 1 * MiB, 304);
    await ok(["--workdir", W, "sync", "incr"], { env });
    const m = readManifestFile(W);
    assert.equal(m.disks[0].capacityBytes, grown);
    assert.ok(
      m.warnings.some((w: { code: string; message: string }) => w.code === "DISK_REBASE" && /capacity/.test(w.message)),
      "a recorded rebase",
    );
    const info = JSON.parse(spawnSync("qemu-img", ["info", "-U", "--output=json", m.disks[0].target.path], { encoding: "utf8" }).stdout);
    assert.equal(info["virtual-size"], grown);
    await targetEqualsLab(lab, W, "boot01");
    // the round after the growth is incremental again
    await labWrite(lab, "boot01", 0, grown - 40 * MiB, 1 * MiB, 305);
    const again = await helper(["--workdir", W, "sync", "incr"], { env });
    assert.equal(again.result.ok, true, JSON.stringify(again.result));
    assert.deepEqual(again.result.data.rebased, []);
    await targetEqualsLab(lab, W, "boot01");
  });

  await t.test("the VM powered off, then on, by someone else mid-copy: both rounds finish byte-identical", async () => {
    const W = await newRun("web01");
    const moref = (await labVm(lab, "web01")).moref;
    for (const action of ["off", "on"]) {
      // a powered-off guest writes nothing: the second round has no changes, the power-on lands in it
      if (action === "off") await labWrite(lab, "web01", 0, 300 * MiB, 160 * MiB, 3);
      let acted: Promise<any[]> | undefined;
      const run = startHelper(["--workdir", W, "sync", "incr", "--jobs", "1", "--chunk", "64K"], {
        env,
        onLine: (line) => {
          if (!acted && /changed areas/.test(line)) acted = adminOps(lab, [{ op: "power", vm: moref, action }]);
        },
      });
      const r = await run.done;
      assert.ok(acted, "the power change happened during the round");
      assert.equal((await acted)[0].ok.state, "success");
      assert.equal(r.result.ok, true, JSON.stringify(r.result));
      assert.equal((await labVm(lab, "web01")).powerState, action === "off" ? "poweredOff" : "poweredOn");
      assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), []);
      await targetEqualsLab(lab, W, "web01");
    }
  });

  await t.test(
    "the same VM from a second workdir: rounds of both end byte-identical; a concurrent round is refused, not mixed",
    async () => {
      const A = await newRun("boot01");
      const B = await newRun("boot01");
      for (const [i, W] of [A, B, A, B].entries()) {
        await labWrite(lab, "boot01", 0, (40 + i * 4) * MiB, MiB, 310 + i);
        await ok(["--workdir", W, "sync", "incr"], { env });
        await targetEqualsLab(lab, W, "boot01");
      }
      await labWrite(lab, "boot01", 0, 50 * MiB, 60 * MiB, 320);
      let second: Promise<Awaited<ReturnType<typeof helper>>> | undefined;
      const first = startHelper(["--workdir", A, "sync", "incr", "--jobs", "1", "--chunk", "64K"], {
        env,
        onLine: (line) => {
          if (!second && /changed areas/.test(line)) second = helper(["--workdir", B, "sync", "incr"], { env });
        },
      });
      const a = await first.done;
      const b = await second!;
      assert.equal(a.result.ok, true, `the first round is not disturbed: ${JSON.stringify(a.result)}`);
      await targetEqualsLab(lab, A, "boot01");
      if (b.result.ok !== true) {
        assert.ok(b.result.error.hint.length > 10, JSON.stringify(b.result.error));
        assert.equal(readManifestFile(B).rounds.at(-1).status, "failed");
      }
      await ok(["--workdir", B, "sync", "incr"], { env });
      await targetEqualsLab(lab, B, "boot01");
      assert.deepEqual(await ourSnapshotsOnVm(lab, "boot01"), []);
    },
  );

  await t.test("the same VM into the same --dst from a second workdir is refused: the first run's targets are not taken over", async () => {
    const dst = join(base, "shared-dst");
    const A = await newRun("boot01", dst);
    const target = readManifestFile(A).disks[0].target.path;
    const before = await hashImage(target, "qcow2");
    const B = join(base, "second-on-same-dst");
    const r = await fails(["--workdir", B, "init", "--vm", "boot01", "--dst", dst], "TARGET_EXISTS", { env });
    assert.match(r.result.error.message + r.result.error.hint, new RegExp(target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.equal(existsSync(B), false);
    assert.equal(await hashImage(target, "qcow2"), before, "the first run's target is untouched");
  });
});
