// Benchmark: a base copy into Ceph RBD. Our copy engine (`ablestack_v2k copy --allocated-only` into qemu-nbd
// serving rbd:POOL/IMAGE, as `sync base` runs it) against `qemu-img convert -O raw ... rbd:POOL/IMAGE` and
// nbdcopy into the same qemu-nbd, on a throwaway single-node Ceph (memstore OSD, so RAM-bound, not disk).
// The qemu-nbd command line and our copy's requests come from the helper's own decisions (endpoints'
// qemuNbdArgs for the RBD target spec disk-access makes, disk-access copyTuningFor), so they follow sync.
// Source: nbdkit sparse-random (half data). Prints MB/s (virtual size / wall time) and checks each image
// with `qemu-img compare`. Not part of `make check`.
//
//   node --import tsx test/bench/rbd-base-copy.ts [SIZE]          e.g. 1G (default)
//   V2K_COPY_ARGS="--chunk 4M --requests 32" ...                  extra options of our copy
//   ROUNDS=3 ...                                                  alternating rounds (default 1)
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exec } from "../../src/kit/exec";
import { copyTuningFor, qemuFilenameOf, targetSpecOf, type TargetDisk, type TargetManifest } from "../../src/helper/disk-access/index";
import { PrivateDir, qemuNbdArgs, qemuNbdTuningLadder } from "../../src/helper/endpoints/index";
import { startTestCeph } from "../support/ceph";
import { repoRoot } from "../support/lab";

const SIZE = process.argv[2] ?? "1G";
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? "1"));
const helper = join(repoRoot, "dist/helper/ablestack_v2k.mjs");

/** A manifest's view of an RBD disk, so the bench asks disk-access what `sync` would do with it. */
function rbdDisk(pool: string, image: string, conf: string): { disk: TargetDisk; m: TargetManifest } {
  return {
    disk: { key: 2000, target: { mode: "rbd", path: `rbd:${pool}/${image}`, format: "raw" } },
    m: { target: { dir: tmpdir(), format: "raw", mode: "rbd", transport: "http", ceph: { conf, id: "admin", pool } } },
  };
}

/** What `sync` asks of a copy into an RBD target when the admin gives no --jobs/--chunk (one decision, disk-access). */
function syncRbdCopyArgs(): string[] {
  const { disk } = rbdDisk("pool", "image", "/etc/ceph/ceph.conf");
  const tuning = copyTuningFor(disk, {});
  return [
    ...(tuning.chunkSize !== undefined ? ["--chunk", String(tuning.chunkSize)] : []),
    ...(tuning.requests !== undefined ? ["--requests", String(tuning.requests)] : []),
  ];
}

async function waitFile(path: string): Promise<void> {
  for (let i = 0; i < 400 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(path)) throw new Error(`${path} did not appear`);
}

function serve(file: string, args: string[]) {
  const child = spawn(file, args, { stdio: ["ignore", "ignore", "inherit"] });
  return {
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("close", r));
    },
  };
}

async function main(): Promise<void> {
  if (!existsSync(helper)) await exec("node", ["build.mjs"], { timeoutMs: 300_000, cwd: repoRoot });
  const ceph = await startTestCeph({ auth: "none" });
  const dir = mkdtempSync(join(tmpdir(), "v2k-rbd-bench-"));
  const src = serve("nbdkit", [
    "--foreground",
    "--exit-with-parent",
    "--readonly",
    "--unix",
    join(dir, "src.sock"),
    "--pidfile",
    join(dir, "src.pid"),
    "sparse-random",
    SIZE,
    "percent=50",
    "seed=4242",
  ]);
  try {
    await waitFile(join(dir, "src.pid"));
    const from = `nbd+unix:///?socket=${join(dir, "src.sock")}`;
    const bytes = JSON.parse((await exec("qemu-img", ["info", "--output=json", from], { timeoutMs: 30_000 })).stdout)[
      "virtual-size"
    ] as number;
    process.stdout.write(`Ceph up in ${(ceph.startMs / 1000).toFixed(1)} s; base copy of ${SIZE} (half data) into pool ${ceph.pool}\n`);
    process.stdout.write(`${"run".padEnd(52)} ${"seconds".padStart(8)} ${"MB/s".padStart(8)}  check\n`);
    const runs: [string, (image: string) => Promise<void>][] = [
      [
        "qemu-img convert -O raw ... rbd:pool/img",
        async (image) => {
          await exec("qemu-img", ["convert", "-f", "raw", "-O", "raw", from, rbdName(ceph, image)], { timeoutMs: 1_800_000 });
        },
      ],
      [
        "ablestack_v2k copy -> qemu-nbd rbd",
        (image) =>
          viaQemuNbd(ceph, image, bytes, [
            "node",
            helper,
            "copy",
            "--from",
            from,
            "--to",
            "@DST",
            "--allocated-only",
            // the requests `sync` makes into an RBD target; V2K_COPY_ARGS may override
            ...syncRbdCopyArgs(),
            ...(process.env.V2K_COPY_ARGS ?? "").split(" ").filter((a) => a !== ""),
          ]),
      ],
      [
        "nbdcopy --target-is-zero -> qemu-nbd rbd",
        (image) => viaQemuNbd(ceph, image, bytes, ["nbdcopy", "--target-is-zero", from, "@DST"]),
      ],
    ];
    for (let round = 0; round < ROUNDS; round++)
      for (const [label, run] of runs) {
        const image = `bench-${runs.findIndex((r) => r[0] === label)}`;
        const name = rbdName(ceph, image);
        const t0 = process.hrtime.bigint();
        await run(image);
        const secs = Number(process.hrtime.bigint() - t0) / 1e9;
        const same = await exec("qemu-img", ["compare", "-q", "-f", "raw", "-F", "raw", from, name], {
          timeoutMs: 1_800_000,
          okCodes: [0, 1],
        });
        const du = JSON.parse(await ceph.rbd(["du", "--format", "json", `${ceph.pool}/${image}`])).images[0];
        process.stdout.write(
          `${label.padEnd(52)} ${secs.toFixed(2).padStart(8)} ${(bytes / 1e6 / secs).toFixed(1).padStart(8)}  ` +
            `${same.exitCode === 0 ? "identical" : "DIFFERENT"}, ${(du.used_size / 2 ** 20).toFixed(0)} MiB used\n`,
        );
        await ceph.rbd(["rm", "--no-progress", `${ceph.pool}/${image}`]);
      }
  } finally {
    await src.stop();
    await ceph.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Cluster {
  pool: string;
  conf: string;
}

/** qemu's name of an image in the bench cluster, as sync would name it (disk-access). */
function rbdName(c: Cluster, image: string): string {
  const { disk, m } = rbdDisk(c.pool, image, c.conf);
  return qemuFilenameOf(disk, m);
}

/** Creates the image, serves it with the qemu-nbd command line sync tries first for an RBD target, runs the copier. */
async function viaQemuNbd(c: Cluster, image: string, bytes: number, cmd: string[]): Promise<void> {
  const { disk, m } = rbdDisk(c.pool, image, c.conf);
  const spec = targetSpecOf(disk, m);
  await exec("qemu-img", ["create", "-q", "-f", "raw", qemuFilenameOf(disk, m), String(bytes)], { timeoutMs: 120_000 });
  const served = new PrivateDir("v2k-rbd-bench-");
  const q = serve("qemu-nbd", qemuNbdArgs(spec, served, qemuNbdTuningLadder(spec)[0]!));
  try {
    await waitFile(served.file("qemu-nbd.pid"));
    const to = `nbd+unix:///?socket=${served.file("nbd.sock")}`;
    await exec(
      cmd[0]!,
      cmd.slice(1).map((a) => (a === "@DST" ? to : a)),
      { timeoutMs: 1_800_000 },
    );
  } finally {
    await q.stop();
    served.remove();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
