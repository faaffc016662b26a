// Incremental rounds on the lab, as the admin runs them: the built CLI's `sync incr` against a 1-disk
// VM (win01, 2 GiB) after a tiny guest write (64 KiB), after none, and after a scattered small-write
// pattern. Each round's event (events.log / --json) says where its time went (snapshot, QCDA, servers,
// copy, commits, snapshot removal) and how many bytes it read; this prints the medians over ROUNDS.
//
// The 1% round: win01's disk grown to 4 GiB and filled with guest data, its base round, then rounds after
// 1% of the disk (41 MiB) written in scattered 64 KiB guest writes, each round's time against the base's.
//
//   node --import tsx test/bench/lab-rounds.ts      ROUNDS=3 (make bench runs it through goals.ts)
//   SYNC_ARGS="--coalesce-gap 64K"                   options for every `sync incr` (to compare settings)
//   ONLY=percent | ONLY=small                         only the 1% rounds of the 4 GiB disk, or only the small ones
//   BEFORE=/copy/of/dist/ablestack_v2k                1% rounds alternate between that build and dist (before/after)
//   LAB_ARGS="--datastore-workers 0"                 options for `lab start` (e.g. the lab process alone)
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LabControlClient } from "../../src/lab/client/lab-client";
import { helper, ok } from "../integration/engine-support";
import { pyvmomi } from "../support/lab";
import { benchMain, startBenchLab, type BenchLab } from "./bench-lab";

const MiB = 1024 * 1024;
const VM = "win01";
/** The scattered pattern: 4 KiB writes at seeded random 4 KiB-aligned offsets in a 512 MiB region. */
const SCATTER = { writes: 256, size: 4096, region: 512 * MiB, start: 1024 * MiB };
export const PHASES = ["snapshot", "prepare", "qcda", "serversUp", "copy", "serversDown", "commit", "snapshotRemove"] as const;

export interface RoundFigures {
  kind: "tiny" | "empty" | "scattered" | "base4g" | "percent" | "before";
  /** The CLI from start to exit (Node start, vSphere bridge login, the round). */
  wallMs: number;
  /** The round inside the helper: snapshot taken to snapshot removed. */
  totalMs: number;
  /** totalMs less the engine's copy of the changed bytes. */
  fixedMs: number;
  phasesMs: Record<string, number>;
  changedBytes: number;
  bytesRead: number;
}

type Hooks = Array<() => void | Promise<void>>;

/** A seeded LCG: the same scattered offsets in every run. */
function offsets(seed: number): number[] {
  let x = seed >>> 0;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  return Array.from({ length: SCATTER.writes }, () => SCATTER.start + (next() % (SCATTER.region / SCATTER.size)) * SCATTER.size);
}

async function syncIncr(workdir: string, env: Record<string, string>, kind: RoundFigures["kind"], command?: string): Promise<RoundFigures> {
  const started = performance.now();
  const extra = (process.env.SYNC_ARGS ?? "").split(" ").filter((a) => a !== "");
  const which = kind === "base4g" ? "base" : "incr";
  const r = await helper(["--workdir", workdir, "sync", which, ...extra], {
    env,
    timeoutMs: 600_000,
    ...(command ? { command: [command] } : {}),
  });
  const wallMs = performance.now() - started;
  if (r.result.ok !== true) throw new Error(`sync ${which} failed: ${JSON.stringify(r.result.error ?? r.result)}\n${r.stderr}`);
  const ev = r.events.find((e) => e.type === "round");
  if (!ev?.phasesMs) throw new Error("the round event carries no phasesMs (build the helper first: node build.mjs)");
  const phasesMs = ev.phasesMs as Record<string, number>;
  return {
    kind,
    wallMs,
    totalMs: ev.totalMs,
    fixedMs: ev.totalMs - (phasesMs.copy ?? 0),
    phasesMs,
    changedBytes: ev.changedBytes,
    bytesRead: ev.bytesRead,
  };
}

interface Migration {
  workdir: string;
  env: Record<string, string>;
  lab: LabControlClient;
}

/** Lab, migration of win01 up to cbt enable (`before` changes the lab first); the base copy is the caller's. */
async function migration(hooks: Hooks, before: (lab: BenchLab, client: LabControlClient) => Promise<void>): Promise<Migration> {
  const lab = await startBenchLab("default", (process.env.LAB_ARGS ?? "").split(" ").filter(Boolean));
  hooks.push(() => lab.stop());
  const client = LabControlClient.fromDir(lab.dir);
  await before(lab, client);
  const root = mkdtempSync(join(tmpdir(), "v2k-bench-rounds-"));
  hooks.push(() => rmSync(root, { recursive: true, force: true }));
  const workdir = join(root, "wd");
  mkdirSync(join(root, "dst"));
  await ok(["--workdir", workdir, "init", "--vm", VM, "--dst", join(root, "dst")], { env: lab.env });
  await ok(["--workdir", workdir, "cbt", "enable"], { env: lab.env });
  return { workdir, env: lab.env, lab: client };
}

/** Lab, migration of win01 up to its base copy; returns what the rounds need. */
async function prepare(hooks: Hooks): Promise<Migration> {
  const m = await migration(hooks, async () => undefined);
  await ok(["--workdir", m.workdir, "sync", "base"], { env: m.env, timeoutMs: 600_000 });
  return m;
}

/** ROUNDS x (tiny, empty, scattered), the order rotated each time; returns every round's figures. */
export async function labRounds(rounds: number): Promise<RoundFigures[]> {
  const hooks: Hooks = [];
  try {
    const { workdir, env, lab } = await prepare(hooks);
    const out: RoundFigures[] = [];
    const kinds: RoundFigures["kind"][] = ["tiny", "empty", "scattered"];
    for (let i = 0; i < rounds; i++) {
      for (let k = 0; k < kinds.length; k++) {
        const kind = kinds[(i + k) % kinds.length]!;
        if (kind === "tiny") await lab.write({ vm: VM, disk: 0, offset: 100 * MiB + i * 8 * MiB, length: 64 * 1024, seed: 10 + i });
        if (kind === "scattered")
          for (const offset of offsets(1000 + i)) await lab.write({ vm: VM, disk: 0, offset, length: SCATTER.size, seed: i });
        const f = await syncIncr(workdir, env, kind);
        out.push(f);
        process.stdout.write(`${formatRound(f)}\n`);
      }
    }
    return out;
  } finally {
    for (const fn of hooks) await fn();
  }
}

const GiB = 1024 * MiB;
/** The 1% round: win01's disk at 4 GiB, full of guest data; 1% of it changed in scattered 64 KiB writes. */
export const PERCENT = { capacity: 4 * GiB, fill: 64 * MiB, write: 64 * 1024, share: 0.01 };

/** win01's disk grown to 4 GiB with an admin's ReconfigVM (pyVmomi), then written in full by the guest. */
async function growAndFill(lab: BenchLab, client: LabControlClient): Promise<void> {
  const info = JSON.parse(readFileSync(join(lab.dir, "lab.json"), "utf8")) as object;
  const ops = [{ op: "reconfig", vm: "vm-102", growDisk: { key: 2000, bytes: PERCENT.capacity } }];
  const r = (await pyvmomi("ops.py", { ...info, ops })) as { results: Array<Record<string, unknown>> };
  if (r.results.some((x) => x.fault !== undefined)) throw new Error(`growing win01's disk failed: ${JSON.stringify(r.results)}`);
  for (let offset = 0; offset < PERCENT.capacity; offset += PERCENT.fill)
    await client.write({ vm: VM, disk: 0, offset, length: PERCENT.fill, seed: 500 + offset / PERCENT.fill });
}

/** 1% of the 4 GiB disk in 64 KiB guest writes at seeded random 64 KiB-aligned offsets (a few may overlap). */
async function writePercent(client: LabControlClient, seed: number): Promise<void> {
  let x = seed >>> 0;
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0);
  const count = Math.round((PERCENT.capacity * PERCENT.share) / PERCENT.write);
  const slots = PERCENT.capacity / PERCENT.write;
  for (let i = 0; i < count; i++)
    await client.write({ vm: VM, disk: 0, offset: (next() % slots) * PERCENT.write, length: PERCENT.write, seed });
}

/** The base round of the full 4 GiB disk, then ROUNDS rounds after 1% of scattered writes each. */
export async function labPercentRounds(rounds: number): Promise<RoundFigures[]> {
  const hooks: Hooks = [];
  try {
    const { workdir, env, lab } = await migration(hooks, growAndFill);
    const out = [await syncIncr(workdir, env, "base4g")];
    process.stdout.write(`${formatRound(out[0]!)}\n`);
    const before = process.env.BEFORE;
    for (let i = 0; i < rounds; i++) {
      const builds = before ? (i % 2 ? ["after", "before"] : ["before", "after"]) : ["after"];
      for (const [j, build] of builds.entries()) {
        await writePercent(lab, 2000 + 2 * i + j);
        const f = await syncIncr(workdir, env, build === "before" ? "before" : "percent", build === "before" ? before : undefined);
        out.push(f);
        process.stdout.write(`${formatRound(f)}\n`);
      }
    }
    return out;
  } finally {
    for (const fn of hooks) await fn();
  }
}

export function formatRound(f: RoundFigures): string {
  const phases = PHASES.map((p) => `${p} ${f.phasesMs[p] ?? 0}`).join(", ");
  return (
    `round ${f.kind.padEnd(9)} wall ${f.wallMs.toFixed(0)} ms, round ${f.totalMs} ms, fixed ${f.fixedMs} ms ` +
    `(${phases}); changed ${f.changedBytes}, read ${f.bytesRead}`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Math.max(1, Number(process.env.ROUNDS ?? "3"));
  const only = process.env.ONLY;
  benchMain(async () => {
    if (only !== "percent") await labRounds(rounds);
    if (only !== "small") await labPercentRounds(rounds);
  });
}
