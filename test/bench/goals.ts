// `make bench`: the performance goals, each measured here and printed with PASS/FAIL. Runs the copy
// benchmarks (test/bench/copy-vs-nbdcopy.sh, test/bench/rbd-base-copy.ts) in alternating rounds and
// compares medians. Slow (minutes) and load-sensitive: not part of `make check`; read the figures with
// the machine's load, which is printed too.
//
// test/bench/lab-rounds.ts runs incremental rounds on the lab through the built CLI (and the 1% round of a 4 GiB disk);
// test/bench/lab-datastore.ts reads a lab disk over /folder with parallel ranges; test/bench/lab-downtime.ts
// cuts boot01 over (64 MiB changed since the last round) and splits its downtime by phase.
//
//   node --import tsx test/bench/goals.ts          ROUNDS=3 SIZE=4G SCATTERED_SIZE=8G RBD_SIZE=4G MULTI_SIZE=2G (defaults)
//   GOALS=rounds,base,scattered,multidisk,rbd,datastore,downtime  only these groups (default: all)
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { exec } from "../../src/kit/exec";
import { parseSize } from "../../src/kit/sizes";
import { repoRoot } from "../support/lab";
import { labPercentRounds, labRounds, PERCENT, PHASES, type RoundFigures } from "./lab-rounds";
import { labDatastoreReads } from "./lab-datastore";
import { DOWNTIME_PHASES, labDowntime } from "./lab-downtime";
import { multiDisk } from "./multi-disk";

const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? "3"));
const SIZE = process.env.SIZE ?? "4G";
const SCATTERED_SIZE = process.env.SCATTERED_SIZE ?? "8G";
const RBD_SIZE = process.env.RBD_SIZE ?? "4G";
const MULTI_SIZE = process.env.MULTI_SIZE ?? "2G";
const MULTI_DISKS = [1, 2, 4];
const TUNED = "nbdcopy:--requests=64:--request-size=4194304";
const RSS_LIMIT_MIB = 128;
const GOALS = (process.env.GOALS ?? "base,scattered,multidisk,rbd,rounds,datastore,downtime").split(",");
const ROUND_FIXED_LIMIT_MS = 500;
const DOWNTIME_LIMIT_MS = 10_000;
const READ_RATIO_LIMIT = 1.2;
const PERCENT_ROUND_LIMIT = 0.05;
const DATASTORE_MBS_GOAL = 600;
const DATASTORE_READERS = 4;

interface Run {
  run: string;
  seconds: number;
  mbs: number;
  rssMiB?: number;
  cpuS?: number;
  check: string;
  /** Our engine's own copy time (its result's durationMs), without Node's start-up. */
  engineS?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs a benchmark script, echoing its output, and returns its stdout. */
function runScript(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(" ")} exited with ${code}`))));
  });
}

async function fileCopies(size: string, format: string, source: string, runs: string[], compare = true): Promise<Run[]> {
  const list = Array.from({ length: ROUNDS }, () => runs).flat();
  const env = { RUNS: list.join(" "), SOURCE: source, COMPARE: compare ? "1" : "0" };
  const out = await runScript(join(repoRoot, "test/bench/copy-vs-nbdcopy.sh"), [size, format], env);
  const rows: Run[] = [];
  for (const line of out.split("\n")) {
    const m = /^(\S+)\s+([\d.]+)\s+([\d.]+)\s+(\d+) MiB\s+([\d.]+)\s+(\S+)\s+(\S+)$/.exec(line);
    if (m) {
      const engine = m[7] === "-" ? {} : { engineS: +m[7]! };
      rows.push({ run: m[1]!, seconds: +m[2]!, mbs: +m[3]!, rssMiB: +m[4]!, cpuS: +m[5]!, check: m[6]!, ...engine });
    }
  }
  if (rows.length !== list.length) throw new Error(`expected ${list.length} result lines, got ${rows.length}`);
  return rows;
}

async function rbdCopies(): Promise<Run[]> {
  const out = await runScript("node", ["--import", "tsx", "test/bench/rbd-base-copy.ts", RBD_SIZE], { ROUNDS: String(ROUNDS) });
  const rows: Run[] = [];
  for (const line of out.split("\n")) {
    const m = /^(.{52}) +([\d.]+) +([\d.]+) {2}(\S+)/.exec(line);
    if (m) rows.push({ run: m[1]!.trim(), seconds: +m[2]!, mbs: +m[3]!, check: m[4]!.replace(/,$/, "") });
  }
  return rows;
}

const verdicts: string[] = [];
function goal(name: string, figure: string, pass: boolean): void {
  verdicts.push(`${pass ? "PASS" : "FAIL"}  ${name}: ${figure}`);
}
const of = (rows: Run[], run: string) => rows.filter((r) => r.run === run);
const med = (rows: Run[], key: "mbs" | "cpuS" | "rssMiB") => median(rows.map((r) => r[key] ?? NaN));
const allIdentical = (rows: Run[]) => rows.every((r) => r.check === "identical");

async function baseCopyGoals(): Promise<void> {
  for (const format of ["qcow2", "raw"]) {
    const rows = await fileCopies(SIZE, format, "percent=50 seed=4242", ["nbdcopy", "v2k", TUNED]);
    const ours = of(rows, "v2k");
    const best = Math.max(med(of(rows, "nbdcopy"), "mbs"), med(of(rows, TUNED), "mbs"));
    const worst = Math.min(...ours.map((r) => r.mbs)) / best;
    goal(
      `base copy ${SIZE} into ${format}, ours / best nbdcopy (default, tuned) >= 1.0, no run < 0.9`,
      `${med(ours, "mbs").toFixed(0)} / ${best.toFixed(0)} MB/s = ${(med(ours, "mbs") / best).toFixed(2)}, worst ${worst.toFixed(2)}`,
      med(ours, "mbs") >= best && worst >= 0.9 && allIdentical(rows),
    );
    goal(
      `peak RSS of our copy (${format}) < ${RSS_LIMIT_MIB} MiB`,
      `${Math.max(...ours.map((r) => r.rssMiB!))} MiB`,
      Math.max(...ours.map((r) => r.rssMiB!)) < RSS_LIMIT_MIB,
    );
  }
}

const SCATTERED_SOURCE = "percent=5 runlength=4096 seed=4242";

/** The data bytes of an nbdkit sparse-random disk (nbdinfo's allocation totals). */
async function sourceDataBytes(size: string, source: string): Promise<number> {
  const args = ["-U", "-", "sparse-random", size, ...source.split(" "), "--run", 'nbdinfo --map --totals "$uri"'];
  const { stdout } = await exec("nbdkit", args, { timeoutMs: 120_000 });
  const data = /^\s*(\d+)\s+[\d.]+%\s+0\s+data$/m.exec(stdout);
  if (!data) throw new Error(`no data total in nbdinfo's map: ${stdout}`);
  return Number(data[1]);
}

/**
 * Scattered small extents against the same data bytes in one contiguous disk, both into raw (qcow2
 * allocates a 64 KiB cluster for every 4 KiB run: that target does not allow it).
 */
async function scatteredVsContiguous(): Promise<void> {
  const bytes = await sourceDataBytes(SCATTERED_SIZE, SCATTERED_SOURCE);
  const scattered = await fileCopies(SCATTERED_SIZE, "raw", SCATTERED_SOURCE, ["v2k"]);
  const contiguous = await fileCopies(String(bytes), "raw", "percent=100 seed=4242", ["v2k"]);
  // the engine's own time: Node's start-up, the same for both, would flatter the ratio
  const seconds = (rows: Run[]) => median(rows.map((r) => r.engineS ?? NaN));
  const ratio = seconds(scattered) / seconds(contiguous);
  goal(
    `scattered extents into raw (${(bytes / MiB).toFixed(0)} MiB of data in ~${Math.round(bytes / 4096 / 1000)}k runs) ` +
      `within 2x the same bytes contiguous`,
    `${seconds(scattered).toFixed(2)} / ${seconds(contiguous).toFixed(2)} s of copying = ${ratio.toFixed(2)}x`,
    ratio <= 2 && allIdentical(scattered) && allIdentical(contiguous),
  );
}

async function scatteredGoals(): Promise<void> {
  const rows = await fileCopies(SCATTERED_SIZE, "qcow2", SCATTERED_SOURCE, ["nbdcopy", "v2k"]);
  const ours = of(rows, "v2k");
  const theirs = of(rows, "nbdcopy");
  goal(
    `scattered small extents (${SCATTERED_SIZE}, 5% in ~4 KiB runs), ours / nbdcopy >= 1.0`,
    `${med(ours, "mbs").toFixed(0)} / ${med(theirs, "mbs").toFixed(0)} MB/s = ${(med(ours, "mbs") / med(theirs, "mbs")).toFixed(2)}`,
    med(ours, "mbs") >= med(theirs, "mbs") && allIdentical(rows),
  );
  goal(
    "scattered extents, client CPU ours <= nbdcopy",
    `${med(ours, "cpuS").toFixed(2)} / ${med(theirs, "cpuS").toFixed(2)} s`,
    med(ours, "cpuS") <= med(theirs, "cpuS"),
  );
  goal(
    `scattered extents, peak RSS < ${RSS_LIMIT_MIB} MiB`,
    `${Math.max(...ours.map((r) => r.rssMiB!))} MiB`,
    Math.max(...ours.map((r) => r.rssMiB!)) < RSS_LIMIT_MIB,
  );
  await scatteredVsContiguous();
}

async function multiDiskGoals(): Promise<void> {
  const rows = await multiDisk(MULTI_DISKS, MULTI_SIZE, ROUNDS);
  for (const n of MULTI_DISKS.filter((d) => d > 1)) {
    const m = (tool: string, k: "seconds" | "cpuS" | "rssMiB") =>
      median(rows.filter((r) => r.disks === n && r.tool === tool).map((r) => r[k]));
    const mbs = (tool: string) => (n * (parseSize(MULTI_SIZE) ?? 0)) / 1e6 / m(tool, "seconds");
    goal(
      `${n} disks in one process (${MULTI_SIZE} each, half data), ours / ${n} tuned nbdcopies >= 1.0`,
      `${mbs("ours").toFixed(0)} / ${mbs("nbdcopy").toFixed(0)} MB/s = ${(mbs("ours") / mbs("nbdcopy")).toFixed(2)}, ` +
        `CPU ${m("ours", "cpuS").toFixed(1)} / ${m("nbdcopy", "cpuS").toFixed(1)} s, RSS ${m("ours", "rssMiB").toFixed(0)} / ${m("nbdcopy", "rssMiB").toFixed(0)} MiB`,
      mbs("ours") >= mbs("nbdcopy"),
    );
  }
}

async function rbdGoals(): Promise<void> {
  const rows = await rbdCopies();
  const ours = rows.filter((r) => r.run.startsWith("ablestack_v2k"));
  const qemuImg = rows.filter((r) => r.run.startsWith("qemu-img convert"));
  const nbdcopy = rows.filter((r) => r.run.startsWith("nbdcopy"));
  const ratio = med(ours, "mbs") / med(qemuImg, "mbs");
  goal(
    `base copy ${RBD_SIZE} into RBD, ours / qemu-img convert >= 1.0 (issue floor 0.9)`,
    `${med(ours, "mbs").toFixed(0)} / ${med(qemuImg, "mbs").toFixed(0)} MB/s = ${ratio.toFixed(2)}`,
    ratio >= 1.0 && allIdentical(rows),
  );
  goal(
    `base copy into RBD, ours / nbdcopy >= 1.0`,
    `${med(ours, "mbs").toFixed(0)} / ${med(nbdcopy, "mbs").toFixed(0)} MB/s`,
    med(ours, "mbs") >= med(nbdcopy, "mbs"),
  );
}

async function labRoundGoals(): Promise<void> {
  const rows = await labRounds(ROUNDS);
  const kinds = ["tiny", "empty", "scattered"] as const;
  const medianOf = (kind: RoundFigures["kind"], f: (r: RoundFigures) => number) => median(rows.filter((r) => r.kind === kind).map(f));
  process.stdout.write(`\nlab rounds, medians over ${ROUNDS} (ms): wall = CLI start to exit, round = snapshot taken to removed\n`);
  process.stdout.write(`${["round", "wall", "round", "fixed", ...PHASES, "other"].map((h) => h.padStart(9)).join(" ")}\n`);
  for (const kind of kinds) {
    const cells = [
      medianOf(kind, (r) => r.wallMs),
      medianOf(kind, (r) => r.totalMs),
      medianOf(kind, (r) => r.fixedMs),
      ...PHASES.map((p) => medianOf(kind, (r) => r.phasesMs[p] ?? 0)),
      // events, copy slots, the session cookie: what no phase counts
      medianOf(kind, (r) => r.totalMs - PHASES.reduce((s, p) => s + (r.phasesMs[p] ?? 0), 0)),
    ];
    process.stdout.write(`${[kind, ...cells.map((c) => c.toFixed(0))].map((c) => c.padStart(9)).join(" ")}\n`);
  }
  const tiny = medianOf("tiny", (r) => r.fixedMs);
  const empty = medianOf("empty", (r) => r.fixedMs);
  goal(
    `lab round fixed cost < ${ROUND_FIXED_LIMIT_MS} ms (64 KiB changed / none; CLI wall ${medianOf("tiny", (r) => r.wallMs).toFixed(0)} ms)`,
    `${tiny.toFixed(0)} / ${empty.toFixed(0)} ms`,
    tiny < ROUND_FIXED_LIMIT_MS && empty < ROUND_FIXED_LIMIT_MS,
  );
  const changed = medianOf("scattered", (r) => r.changedBytes);
  const read = medianOf("scattered", (r) => r.bytesRead);
  goal(
    `lab round bytes read <= ${READ_RATIO_LIMIT}x changed (scattered 4 KiB writes)`,
    `${(read / MiB).toFixed(1)} / ${(changed / MiB).toFixed(1)} MiB = ${(read / changed).toFixed(2)}x, round ${medianOf("scattered", (r) => r.totalMs).toFixed(0)} ms`,
    read <= READ_RATIO_LIMIT * changed,
  );
}

/** The 1% round of a 4 GiB disk full of data against its base round (both: the round inside the helper). */
async function labPercentRoundGoal(): Promise<void> {
  const rows = await labPercentRounds(ROUNDS);
  const base = rows.find((r) => r.kind === "base4g")!;
  const percent = rows.filter((r) => r.kind === "percent");
  const m = (f: (r: RoundFigures) => number) => median(percent.map(f));
  const split = PHASES.map((p) => `${p} ${m((r) => r.phasesMs[p] ?? 0).toFixed(0)}`).join(", ");
  process.stdout.write(
    `\nlab 1% rounds of a 4 GiB disk, medians over ${ROUNDS} (ms): round ${m((r) => r.totalMs).toFixed(0)} (${split})\n`,
  );
  const ratio = m((r) => r.totalMs) / base.totalMs;
  goal(
    `lab 1% round of a ${PERCENT.capacity / 1024 ** 3} GiB disk < ${PERCENT_ROUND_LIMIT * 100}% of the base time ` +
      `(disk full of data; ${(m((r) => r.changedBytes) / MiB).toFixed(0)} MiB changed in 64 KiB writes, ${(m((r) => r.bytesRead) / MiB).toFixed(0)} MiB read)`,
    `${m((r) => r.totalMs).toFixed(0)} ms / ${base.totalMs} ms = ${(ratio * 100).toFixed(1)}%`,
    ratio < PERCENT_ROUND_LIMIT,
  );
}

async function labDatastoreGoals(): Promise<void> {
  // the lab with 2 datastore workers (as by default on 2 cores) and, alternating, the lab process alone (--datastore-workers 0)
  const rows = await labDatastoreReads(ROUNDS, [1, DATASTORE_READERS], ["0", "2"]);
  const of = (workers: string, readers: number, f: (r: (typeof rows)[number]) => number) =>
    median(rows.filter((r) => r.workers === workers && r.readers === readers).map(f));
  const mbs = of("2", DATASTORE_READERS, (r) => r.mbPerSec);
  goal(
    `lab datastore reads >= ${DATASTORE_MBS_GOAL} MB/s (${DATASTORE_READERS} parallel range readers; 1 reader ${of("2", 1, (r) => r.mbPerSec).toFixed(0)} MB/s; ` +
      `the lab process alone ${of("0", DATASTORE_READERS, (r) => r.mbPerSec).toFixed(0)} / ${of("0", 1, (r) => r.mbPerSec).toFixed(0)} MB/s)`,
    `${mbs.toFixed(0)} MB/s, lab CPU ${of("2", DATASTORE_READERS, (r) => r.labCpuSecPerGb).toFixed(2)} s/GB ` +
      `(alone ${of("0", DATASTORE_READERS, (r) => r.labCpuSecPerGb).toFixed(2)})`,
    mbs >= DATASTORE_MBS_GOAL,
  );
}

async function labDowntimeGoals(): Promise<void> {
  const rows = await labDowntime(ROUNDS);
  const med = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
  const split = DOWNTIME_PHASES.map((p) => `${p} ${med((r) => r.phasesMs[p]).toFixed(0)}`).join(", ");
  const downtime = med((r) => r.downtimeMs);
  goal(
    `lab downtime (boot01, 64 MiB changed at cutover: source off -> domain started) < ${DOWNTIME_LIMIT_MS / 1000} s`,
    `${(downtime / 1000).toFixed(1)} s (ms: ${split}; the power-off before it ${med((r) => r.powerOffMs).toFixed(0)})`,
    downtime < DOWNTIME_LIMIT_MS,
  );
}

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
  process.stdout.write(`rounds ${ROUNDS} (alternating, medians); load average at start ${load()}\n`);
  if (GOALS.includes("base")) await baseCopyGoals();
  if (GOALS.includes("scattered")) await scatteredGoals();
  if (GOALS.includes("multidisk")) await multiDiskGoals();
  if (GOALS.includes("rbd")) await rbdGoals();
  if (GOALS.includes("rounds")) await labRoundGoals();
  if (GOALS.includes("rounds")) await labPercentRoundGoal();
  if (GOALS.includes("datastore")) await labDatastoreGoals();
  if (GOALS.includes("downtime")) await labDowntimeGoals();
  process.stdout.write(`\nload average at end ${load()}\n${verdicts.join("\n")}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
