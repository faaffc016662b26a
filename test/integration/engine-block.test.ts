// Block-device targets end to end: loop devices stand in for LVs/LUNs. A device is not zero like
// a fresh image, so the base copy must zero what the source does not list: the devices start
// with garbage and must still end byte-identical to the snapshot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fails, noGo, hashImage, labHash, labWrite, ok, ourSnapshotsOnVm, readManifestFile, startLab, tempDir } from "./engine-support";

const MiB = 1024 * 1024;

function attachLoop(file: string, size: number, garbageAt: number[]): string {
  const fd = openSync(file, "w");
  try {
    for (const off of garbageAt) writeSync(fd, Buffer.alloc(MiB, 0xab), 0, MiB, off);
  } finally {
    closeSync(fd);
  }
  assert.equal(spawnSync("truncate", ["-s", String(size), file]).status, 0);
  const r = spawnSync("losetup", ["-f", "--show", file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("block targets: base and incremental rounds onto block devices holding garbage", { timeout: 300_000 }, async (t) => {
  const lab = await startLab(t, "minimal");
  const env = lab.env;
  const dir = tempDir(t, "v2k-e2e-block-");
  const loops: string[] = [];
  try {
    const dev0 = attachLoop(join(dir, "d0.img"), 2048 * MiB, [0, 1500 * MiB, 2047 * MiB]);
    loops.push(dev0);
    const dev1 = attachLoop(join(dir, "d1.img"), 1024 * MiB, [700 * MiB]);
    loops.push(dev1);
    const small = attachLoop(join(dir, "small.img"), 64 * MiB, []);
    loops.push(small);
    const W = join(dir, "wd");
    const wd = ["--workdir", W];

    const nogo = await noGo(
      [
        "preflight",
        "--vm",
        "web01",
        "--dst",
        dir,
        "--target-mode",
        "block",
        "--target-device",
        `0=${dev0}`,
        "--target-device",
        `1=${small}`,
      ],
      { env },
    );
    assert.equal(nogo.go, false);
    assert.match(nogo.checks.find((c: { id: string }) => c.id === "dst-space").reason, /DST_TOO_SMALL/);
    const go = await ok(
      [
        "preflight",
        "--vm",
        "web01",
        "--dst",
        dir,
        "--target-mode",
        "block",
        "--target-device",
        `0=${dev0}`,
        "--target-device",
        `1=${dev1}`,
      ],
      { env },
    );
    assert.equal(go.go, true, JSON.stringify(go.checks));
    await fails(
      [
        ...wd,
        "init",
        "--vm",
        "web01",
        "--dst",
        dir,
        "--target-mode",
        "block",
        "--target-device",
        `0=${dev0}`,
        "--target-device",
        `1=${small}`,
      ],
      "DST_TOO_SMALL",
      { env },
    );
    await fails([...wd, "init", "--vm", "web01", "--dst", dir, "--target-mode", "block", "--target-device", `0=${dev0}`], "USAGE", { env });
    await fails(
      [
        ...wd,
        "init",
        "--vm",
        "web01",
        "--dst",
        dir,
        "--target-mode",
        "block",
        "--target-device",
        `0=${dev0}`,
        "--target-device",
        `1=${join(dir, "d1.img")}`,
      ],
      "DST_MISSING",
      { env },
    );

    const init = await ok(
      [
        ...wd,
        "init",
        "--vm",
        "web01",
        "--dst",
        dir,
        "--target-mode",
        "block",
        "--target-device",
        `0=${dev0}`,
        "--target-device",
        `16000=${dev1}`,
      ],
      { env },
    );
    assert.equal(init.workdir, W);
    assert.deepEqual(
      readManifestFile(W).disks.map((d: { target: unknown }) => d.target),
      [
        { path: dev0, format: "raw", mode: "block" },
        { path: dev1, format: "raw", mode: "block" },
      ],
    );
    await ok([...wd, "cbt", "enable"], { env });

    const check = async (snapshot: string) => {
      const expected = [await labHash(lab, "web01", 0, snapshot), await labHash(lab, "web01", 1, snapshot)];
      return expected;
    };
    const base = await ok([...wd, "snapshot", "base"], { env });
    const expectedBase = await check(base.snapshot);
    await ok([...wd, "sync", "base"], { env });
    assert.deepEqual([await hashImage(dev0, "raw"), await hashImage(dev1, "raw")], expectedBase, "garbage outside the data was zeroed");

    await labWrite(lab, "web01", 0, 1500 * MiB + 4096, 2 * MiB, 11);
    await labWrite(lab, "web01", 1, 10 * MiB, MiB, 12);
    const incr = await ok([...wd, "snapshot", "incr"], { env });
    const expectedIncr = await check(incr.snapshot);
    const res = await ok([...wd, "sync", "incr"], { env });
    assert.ok(res.changedBytes < 16 * MiB, "incremental on block devices too");
    assert.deepEqual([await hashImage(dev0, "raw"), await hashImage(dev1, "raw")], expectedIncr);
    assert.deepEqual(await ourSnapshotsOnVm(lab, "web01"), []);
  } finally {
    for (const l of loops) spawnSync("losetup", ["-d", l]);
  }
});
