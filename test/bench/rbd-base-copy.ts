// Benchmark: a base copy into Ceph RBD. Our copy engine (`ablestack_v2k copy --allocated-only` into qemu-nbd
// serving rbd:POOL/IMAGE, as `sync base` runs it) against `qemu-img convert -O raw ... rbd:POOL/IMAGE` and
// nbdcopy into the same qemu-nbd, on a throwaway single-node Ceph (memstore OSD, so RAM-bound, not disk).
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
import { RBD_TUNING_DEFAULTS } from "../../src/shared/requests/commands";
import { startTestCeph } from "../support/ceph";
import { repoRoot } from "../support/lab";

const SIZE = process.argv[2] ?? "1G";
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? "1"));
const helper = join(repoRoot, "dist/helper/ablestack_v2k.mjs");

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
    const runs: [string, (rbdName: string) => Promise<void>][] = [
      [
        "qemu-img convert -O raw ... rbd:pool/img",
        async (name) => {
          await exec("qemu-img", ["convert", "-f", "raw", "-O", "raw", from, name], { timeoutMs: 1_800_000 });
        },
      ],
      [
        "ablestack_v2k copy -> qemu-nbd rbd",
        (name) =>
          viaQemuNbd(dir, name, bytes, [
            "node",
            helper,
            "copy",
            "--from",
            from,
            "--to",
            "@DST",
            "--allocated-only",
            // the requests `sync` makes into an RBD target (disk-access copyTuningFor); V2K_COPY_ARGS may override
            "--chunk",
            String(RBD_TUNING_DEFAULTS.chunkSize),
            "--requests",
            String(RBD_TUNING_DEFAULTS.requests),
            ...(process.env.V2K_COPY_ARGS ?? "").split(" ").filter((a) => a !== ""),
          ]),
      ],
      ["nbdcopy --target-is-zero -> qemu-nbd rbd", (name) => viaQemuNbd(dir, name, bytes, ["nbdcopy", "--target-is-zero", from, "@DST"])],
    ];
    for (let round = 0; round < ROUNDS; round++)
      for (const [label, run] of runs) {
        const image = `bench-${runs.findIndex((r) => r[0] === label)}`;
        const name = `rbd:${ceph.pool}/${image}:conf=${ceph.conf}`;
        const t0 = process.hrtime.bigint();
        await run(name);
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

/** Creates the image, serves it with qemu-nbd as the helper does (writeback, discard=unmap), runs the copier. */
async function viaQemuNbd(dir: string, name: string, bytes: number, cmd: string[]): Promise<void> {
  await exec("qemu-img", ["create", "-q", "-f", "raw", name, String(bytes)], { timeoutMs: 120_000 });
  const sock = join(dir, "dst.sock");
  rmSync(join(dir, "dst.pid"), { force: true });
  const q = serve("qemu-nbd", [
    `--socket=${sock}`,
    `--pid-file=${join(dir, "dst.pid")}`,
    "--format=raw",
    "--cache=writeback",
    "--aio=threads",
    "--discard=unmap",
    "--shared=8",
    "--persistent",
    name,
  ]);
  try {
    await waitFile(join(dir, "dst.pid"));
    const to = `nbd+unix:///?socket=${sock}`;
    await exec(
      cmd[0]!,
      cmd.slice(1).map((a) => (a === "@DST" ? to : a)),
      { timeoutMs: 1_800_000 },
    );
  } finally {
    await q.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
