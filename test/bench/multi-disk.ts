// Several disks at once: one `ablestack_v2k copy` process copying N disks (repeated --from/--to, as
// sync copies a VM's disks in one process) against N tuned nbdcopy processes side by side, on the same
// kind of endpoints: N nbdkit sparse-random sources and N fresh qcow2 images served by qemu-nbd. Runs
// alternate (ours, nbdcopy) for every disk count; prints wall time, aggregate MB/s, client CPU seconds
// and peak RSS (ours: the one process; nbdcopy: the sum of its processes), the medians, the load
// average, and checks every copy with `qemu-img compare`. Not part of make check (it writes GiBs).
//
//   node --import tsx test/bench/multi-disk.ts [DISKS=1,2,4] [SIZE=2G]
//   ROUNDS=3  SOURCE="percent=50" (nbdkit sparse-random parameters)  COMPARE=0 (skip the check)  WORK=/var/tmp
//   CACHE=none|writeback (qemu-nbd; writeback with WORK=/dev/shm measures the copy, not the disk)
//   BEFORE=<another build's ablestack_v2k> (alternates it with ours)  NBDCOPY=0 (leave nbdcopy out)
//   OURS_ARGS="--memory 48M" (more options for ours, e.g. to compare copy budgets)
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { ManagedDaemon, qemuNbdArgs, PrivateDir } from "../../src/helper/endpoints/index";
import { unixNbdUri } from "../../src/helper/nbd/index";
import { exec } from "../../src/kit/exec";
import { parseSize } from "../../src/kit/sizes";
import { repoRoot } from "../support/lab";

const SOURCE = (process.env.SOURCE ?? "percent=50").split(" ");
const COMPARE = process.env.COMPARE !== "0";
const CACHE = process.env.CACHE === "writeback" ? "writeback" : "none";
const TUNED = ["--requests=64", "--request-size=4194304"];
const cli = join(repoRoot, "dist/ablestack_v2k");
const BEFORE = process.env.BEFORE;
const OURS_ARGS = (process.env.OURS_ARGS ?? "").split(" ").filter((a) => a !== "");
type Tool = "ours" | "before" | "nbdcopy";
const TOOLS: Tool[] = ["ours", ...(BEFORE ? (["before"] as const) : []), ...(process.env.NBDCOPY === "0" ? [] : (["nbdcopy"] as const))];

export interface Figures {
  seconds: number;
  cpuS: number;
  rssMiB: number;
}

/** Runs a command under /usr/bin/time; resolves with its CPU seconds and peak RSS. */
function timed(argv: string[], dir: string, tag: string): Promise<{ cpuS: number; rssMiB: number }> {
  const out = join(dir, `${tag}.time`);
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%M %U %S", "-o", out, ...argv], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${argv.join(" ")} exited with ${code}: ${err}`));
      const [rssKb, user, sys] = readFileSync(out, "utf8").trim().split("\n").at(-1)!.split(" ").map(Number);
      resolve({ cpuS: user! + sys!, rssMiB: rssKb! / 1024 });
    });
  });
}

/** N sources (kept for the whole bench: sparse-random is stateless). */
async function startSources(n: number, size: number, dirs: PrivateDir[]): Promise<{ uris: string[]; daemons: ManagedDaemon[] }> {
  const uris: string[] = [];
  const daemons: ManagedDaemon[] = [];
  for (let i = 0; i < n; i++) {
    const d = new PrivateDir(`v2k-bench-src${i}-`);
    dirs.push(d);
    const args = ["--foreground", "--exit-with-parent", "--readonly", "--unix", d.file("nbd.sock"), "--pidfile", d.file("pid")];
    daemons.push(
      await ManagedDaemon.start({
        name: "nbdkit",
        file: "nbdkit",
        pidFile: d.file("pid"),
        args: [...args, "sparse-random", String(size), ...SOURCE, `seed=${i + 1}`],
      }),
    );
    uris.push(unixNbdUri(d.file("nbd.sock")));
  }
  return { uris, daemons };
}

/** One run: N fresh qcow2 targets served by qemu-nbd, the copy, the check, the targets removed. */
async function runOnce(tool: Tool, sources: string[], size: number, work: string): Promise<Figures> {
  const targets: Array<{ path: string; uri: string; daemon: ManagedDaemon; dir: PrivateDir }> = [];
  try {
    for (let i = 0; i < sources.length; i++) {
      const path = join(work, `dst${i}.qcow2`);
      await exec("qemu-img", ["create", "-q", "-f", "qcow2", "-o", "preallocation=off,compat=1.1", path, String(size)], {
        timeoutMs: 60_000,
      });
      const dir = new PrivateDir(`v2k-bench-dst${i}-`);
      const spec = { kind: "file" as const, path, format: "qcow2" as const, shared: 8 };
      const daemon = await ManagedDaemon.start({
        name: "qemu-nbd",
        file: "qemu-nbd",
        pidFile: dir.file("qemu-nbd.pid"),
        args: qemuNbdArgs(spec, dir, { cache: CACHE, aio: "io_uring" }),
      });
      targets.push({ path, uri: unixNbdUri(dir.file("nbd.sock")), daemon, dir });
    }
    await exec("sync", [], { timeoutMs: 120_000 });
    const started = performance.now();
    let runs: Array<{ cpuS: number; rssMiB: number }>;
    if (tool !== "nbdcopy") {
      const pairs = sources.flatMap((s, i) => ["--from", s, "--to", targets[i]!.uri]);
      const argv = tool === "before" ? [BEFORE!, "copy"] : [cli, "copy", ...OURS_ARGS];
      runs = [await timed([...argv, ...pairs, "--allocated-only"], work, tool)];
    } else {
      runs = await Promise.all(
        sources.map((s, i) => timed(["nbdcopy", "--target-is-zero", ...TUNED, s, targets[i]!.uri], work, `nbdcopy${i}`)),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    for (const t of targets) await t.daemon.stop();
    if (COMPARE) {
      for (const [i, t] of targets.entries()) {
        const r = await exec("qemu-img", ["compare", "-q", "-f", "raw", "-F", "qcow2", sources[i]!, t.path], {
          timeoutMs: 600_000,
          okCodes: [0, 1],
        });
        if (r.exitCode !== 0) throw new Error(`${tool}: disk ${i} differs from its source`);
      }
    }
    return { seconds, cpuS: runs.reduce((n, r) => n + r.cpuS, 0), rssMiB: runs.reduce((n, r) => n + r.rssMiB, 0) };
  } finally {
    for (const t of targets) {
      await t.daemon.stop();
      t.dir.remove();
      rmSync(t.path, { force: true });
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

export interface MultiDiskRow extends Figures {
  disks: number;
  tool: Tool;
}

/** Every disk count in every round, ours and nbdcopy in alternation; prints each run and the medians. */
export async function multiDisk(counts: number[], sizeArg: string, rounds: number): Promise<MultiDiskRow[]> {
  const size = parseSize(sizeArg) ?? 2 * 1024 ** 3;
  const dirs: PrivateDir[] = [];
  const work = mkdtempSync(join(process.env.WORK ?? "/var/tmp", "v2k-bench-multi-"));
  const { uris, daemons } = await startSources(Math.max(...counts), size, dirs);
  console.log(`multi-disk: ${sizeArg} per disk, source ${SOURCE.join(" ")}, ${rounds} rounds; load average at start ${load()}`);
  console.log(`${"disks tool".padEnd(20)} ${"seconds".padStart(8)} ${"MB/s".padStart(8)} ${"CPU s".padStart(7)} ${"RSS MiB".padStart(8)}`);
  const rows: MultiDiskRow[] = [];
  const show = (label: string, f: Figures, n: number) =>
    console.log(
      `${label.padEnd(20)} ${f.seconds.toFixed(2).padStart(8)} ${((n * size) / 1e6 / f.seconds).toFixed(0).padStart(8)} ` +
        `${f.cpuS.toFixed(2).padStart(7)} ${f.rssMiB.toFixed(0).padStart(8)}`,
    );
  try {
    for (let round = 0; round < rounds; round++) {
      for (const n of counts) {
        for (const tool of TOOLS) {
          const f = await runOnce(tool, uris.slice(0, n), size, work);
          rows.push({ ...f, disks: n, tool });
          show(`${n} ${tool}`, f, n);
        }
      }
    }
    console.log(`\nmedians (load average at end ${load()}):`);
    for (const n of counts) {
      const m = (tool: string, k: keyof Figures) => median(rows.filter((r) => r.disks === n && r.tool === tool).map((r) => r[k]));
      for (const tool of TOOLS) {
        show(`${n} ${tool}`, { seconds: m(tool, "seconds"), cpuS: m(tool, "cpuS"), rssMiB: m(tool, "rssMiB") }, n);
      }
      for (const other of TOOLS.filter((t) => t !== "ours")) {
        console.log(`${n} disks: ours / ${other} (time) = ${(m(other, "seconds") / m("ours", "seconds")).toFixed(2)}`);
      }
    }
    return rows;
  } finally {
    await Promise.allSettled(daemons.map((d) => d.stop()));
    for (const d of dirs) d.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const counts = (process.argv[2] ?? "1,2,4").split(",").map(Number);
  multiDisk(counts, process.argv[3] ?? "2G", Math.max(1, Number(process.env.ROUNDS ?? "3"))).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
