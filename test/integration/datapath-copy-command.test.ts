// The hidden `copy` developer command (built helper) between a real nbdkit source and a qemu-nbd
// qcow2 target: result line, content, sparseness, progress events and usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, spawn } from "node:child_process";
import { exec } from "../../src/kit/exec";
import { startNbdkit, startQemuNbd } from "../unit/nbd/servers";
import { unixNbdUri } from "../../src/helper/nbd/index";

const helper = "dist/ablestack_v2k";
const M = 1024 * 1024;

function runHelper(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(helper, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (b) => (stdout += b));
    p.stderr.on("data", (b) => (stderr += b));
    const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
    p.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test("copy --json copies nbdkit sparse-random into qcow2, identical and sparse", async (t) => {
  const src = await startNbdkit(t, ["sparse-random", String(256 * M), "percent=25", "runlength=1048576", "seed=99"], { readOnly: true });
  const dst = await startQemuNbd(t, "qcow2", { createSize: 256 * M });
  const r = await runHelper([
    "--json",
    "copy",
    "--from",
    unixNbdUri(src.socket),
    "--to",
    unixNbdUri(dst.socket),
    "--allocated-only",
    "--chunk",
    "1M",
    "--requests",
    "4",
  ]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          type: string;
          ok?: boolean;
          data?: { totalBytes: number; bytesWritten: number; bytesSkipped: number };
          bytes?: number;
        },
    );
  const result = lines.at(-1)!;
  assert.equal(result.type, "result");
  assert.equal(result.ok, true);
  assert.equal(result.data!.totalBytes, 256 * M);
  assert.ok(result.data!.bytesWritten > 0 && result.data!.bytesWritten < 128 * M, `written ${result.data!.bytesWritten}`);
  assert.equal(result.data!.bytesWritten + result.data!.bytesSkipped, 256 * M);
  const progress = lines.filter((l) => l.type === "progress");
  assert.ok(progress.length >= 1 && progress.at(-1)!.bytes === 256 * M);

  await dst.stop();
  await exec("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", unixNbdUri(src.socket), dst.image], { timeoutMs: 60_000 });
  const map = JSON.parse(
    (await exec("qemu-img", ["map", "--output=json", "-f", "qcow2", dst.image], { timeoutMs: 30_000 })).stdout,
  ) as Array<{ length: number; data: boolean }>;
  const allocated = map.filter((e) => e.data).reduce((n, e) => n + e.length, 0);
  // Data runs are not cluster aligned: allocation is the data written rounded out to 64 KiB clusters.
  assert.ok(
    allocated >= result.data!.bytesWritten && allocated <= result.data!.bytesWritten + 8 * M,
    `allocated ${allocated}, written ${result.data!.bytesWritten}`,
  );
});

test("copy into a used target without --allocated-only zeroes the holes", async (t) => {
  const src = await startNbdkit(t, ["sparse-random", String(64 * M), "percent=25", "runlength=1048576", "seed=5"], { readOnly: true });
  const dst = await startQemuNbd(t, "qcow2", { createSize: 64 * M });
  // Pre-fill the target with data everywhere.
  const fill = await startNbdkit(t, ["pattern", String(64 * M)], { readOnly: true });
  const pre = spawnSync("nbdcopy", [unixNbdUri(fill.socket), unixNbdUri(dst.socket)], { encoding: "utf8" });
  assert.equal(pre.status, 0, pre.stderr);
  const r = await runHelper(["copy", "--from", unixNbdUri(src.socket), "--to", unixNbdUri(dst.socket), "--jobs", "2"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /copied 67108864 bytes/);
  await dst.stop();
  await exec("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", unixNbdUri(src.socket), dst.image], { timeoutMs: 60_000 });
});

test("scattered 4 KiB extents, two disks in one process: a fresh qcow2 and a used raw target, both identical", async (t) => {
  const size = 64 * M;
  const sparse = (seed: number) => ["sparse-random", String(size), "percent=5", "runlength=4096", `seed=${seed}`];
  const src1 = await startNbdkit(t, sparse(11), { readOnly: true });
  const src2 = await startNbdkit(t, sparse(12), { readOnly: true });
  const fresh = await startQemuNbd(t, "qcow2", { createSize: size });
  const used = await startQemuNbd(t, "raw", { createSize: size });
  // The raw target holds data everywhere: the holes between packed extents must be zeroed, not left.
  const fill = await startNbdkit(t, ["pattern", String(size)], { readOnly: true });
  const pre = spawnSync("nbdcopy", [unixNbdUri(fill.socket), unixNbdUri(used.socket)], { encoding: "utf8" });
  assert.equal(pre.status, 0, pre.stderr);
  const r = await runHelper([
    "copy",
    ...["--from", unixNbdUri(src1.socket), "--to", unixNbdUri(fresh.socket)],
    ...["--from", unixNbdUri(src2.socket), "--to", unixNbdUri(used.socket)],
    ...["--target-unit", "64K", "--chunk", "256K", "--jobs", "2"],
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^disk 0: copied 67108864 bytes.*\ndisk 1: copied 67108864 bytes/m);
  await fresh.stop();
  await used.stop();
  await exec("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", unixNbdUri(src1.socket), fresh.image], { timeoutMs: 60_000 });
  await exec("qemu-img", ["compare", "-f", "raw", "-F", "raw", unixNbdUri(src2.socket), used.image], { timeoutMs: 60_000 });
  const mismatched = await runHelper(["--json", "copy", "--from", unixNbdUri(src1.socket)]);
  assert.equal(mismatched.status, 2);
});

test("copy usage errors exit 2 and a missing server exits 1 with NBD_SOURCE_FAILED", async (t) => {
  const r1 = await runHelper(["--json", "copy", "--to", "nbd+unix:///?socket=/nonexistent"]);
  assert.equal(r1.status, 2);
  assert.equal(JSON.parse(r1.stdout.trim().split("\n").at(-1)!).error.code, "USAGE");
  const r2 = await runHelper(["--json", "copy", "--from", "nbd+unix:///?socket=/x", "--to", "nbd+unix:///?socket=/y", "--chunk", "lots"]);
  assert.equal(r2.status, 2);
  const dst = await startQemuNbd(t, "raw", { createSize: M });
  const r3 = await runHelper(["--json", "copy", "--from", "nbd+unix:///?socket=/nonexistent/x.sock", "--to", unixNbdUri(dst.socket)]);
  assert.equal(r3.status, 1);
  const err = JSON.parse(r3.stdout.trim().split("\n").at(-1)!).error;
  assert.equal(err.code, "NBD_SOURCE_FAILED");
  assert.match(err.message, /unreachable/);
  // The copy command is hidden from the command list.
  const help = spawnSync(helper, ["--help"], { encoding: "utf8" });
  assert.doesNotMatch(help.stdout, /^\s+copy\s/m);
});
