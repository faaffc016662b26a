// Crash-and-resume soak: migrations of the lab's boot01 walk the runbook (init, cbt enable, snapshot
// and sync base, incremental rounds with guest writes between them, then either power-off and the final
// round, or cutover (define), quick verify, rollback and cleanup);
// each step is SIGKILLed at a seeded random moment (or left to finish), then run again with the same
// command line. After every step: the targets equal the lab's disk (after a sync), the manifest
// validates against the schema, no migration snapshot beyond what the step leaves, and no nbdkit,
// qemu-nbd, python or helper process of ours is left. Prints the seed, cycles, kill points per phase
// and every failure; exits 1 on a failure.
//
//   node --import tsx test/soak/soak.ts [--seconds N] [--cycles N] [--seed N]
//   (or SOAK_SECONDS, SOAK_CYCLES, SOAK_SEED; defaults 600 s, no cycle limit, a random seed)
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Manifest } from "../../src/shared/manifest";
import { hashImage } from "../integration/engine-support";
import { type SoakLab, startSoakLab } from "./soak-lab";
import { addTestBridge, type LibvirtdHandle, removeTestBridge, startLibvirtd } from "../support/libvirtd";

const HELPER = join(process.cwd(), "dist/ablestack_v2k");
const VM = "boot01";
const MiB = 1024 * 1024;
const DISK_BYTES = 128 * MiB;

/** mulberry32: a small seeded generator, so a failing run can be repeated with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Options {
  seconds: number;
  cycles: number;
  seed: number;
}

function options(): Options {
  const { values } = parseArgs({ options: { seconds: { type: "string" }, cycles: { type: "string" }, seed: { type: "string" } } });
  const num = (v: string | undefined, env: string | undefined, dflt: number) => Number(v ?? env ?? dflt);
  return {
    seconds: num(values.seconds, process.env.SOAK_SECONDS, 600),
    cycles: num(values.cycles, process.env.SOAK_CYCLES, Number.POSITIVE_INFINITY),
    seed: num(values.seed, process.env.SOAK_SEED, Math.floor(Math.random() * 2 ** 31)),
  };
}

interface StepResult {
  killed: boolean;
  /** What the killed command was doing (its last events.log line, digits as N). */
  killedAt: string;
  status: number | null;
  result: Record<string, any> | undefined;
  ms: number;
}

/** Runs the helper tagged through its environment (its children inherit the tag); kills it after killAfterMs. */
function runStep(args: string[], env: Record<string, string>, workdir: string, killAfterMs: number | null): Promise<StepResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(HELPER, ["--json", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.resume();
    let killed = false;
    let killedAt = "";
    const timer =
      killAfterMs === null
        ? undefined
        : setTimeout(() => {
            killedAt = lastEvent(workdir);
            killed = child.kill("SIGKILL");
          }, killAfterMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      const lines = out.trim().split("\n").filter(Boolean);
      let result: Record<string, any> | undefined;
      try {
        result = JSON.parse(lines.at(-1) ?? "null") ?? undefined;
      } catch {
        result = undefined; // a line cut by the kill
      }
      resolve({
        killed: killed && status === null,
        killedAt,
        status,
        result: result?.type === "result" ? result : undefined,
        ms: Date.now() - t0,
      });
    });
  });
}

function lastEvent(workdir: string): string {
  try {
    const lines = readFileSync(join(workdir, "events.log"), "utf8").trim().split("\n");
    const e = JSON.parse(lines.at(-1)!);
    const what = e.type === "log" || e.type === "phase" ? String(e.message) : e.type;
    return what
      .replace(/\d+/g, "N")
      .replace(/snapshot-N|'[^']*'/g, "…")
      .slice(0, 48);
  } catch {
    return "(no events yet)";
  }
}

/** Processes carrying our tag in their environment (the helper and every child it started). */
function taggedProcesses(tag: string): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${d}/environ`, "utf8").includes(`V2K_SOAK_TAG=${tag}`)) continue;
      out.push({ pid: Number(d), cmd: readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ").slice(0, 100) });
    } catch {
      /* gone */
    }
  }
  return out;
}

interface Stats {
  cycles: number;
  kills: Map<string, number>;
  killPoints: Map<string, number>;
  finishedBeforeKill: Map<string, number>;
  failures: string[];
  migrations: number;
  strayTempFiles: number;
}

const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** One runbook step as a soak cycle: maybe killed, then the same command to completion, then the checks. */
async function cycle(
  ctx: Soak,
  phase: string,
  args: string[],
  expectOurSnapshots: number,
  compareTargets: boolean,
  extraCheck?: (fail: (why: string) => void) => Promise<void>,
): Promise<void> {
  const { stats, random } = ctx;
  const avg = ctx.durations.get(phase) ?? 1500;
  const kill = random() < 0.8 ? Math.floor(50 + random() * avg * 0.9) : null;
  const first = await runStep(args, ctx.env, ctx.workdir, kill);
  if (first.killed) {
    bump(stats.kills, phase);
    bump(stats.killPoints, `${phase}: ${first.killedAt}`);
  } else if (kill !== null) {
    bump(stats.finishedBeforeKill, phase);
  }
  let final = first;
  if (first.killed || first.result?.ok !== true) {
    await settle(ctx); // a killed helper's children exit on their own (stdin EOF, exit-with-parent)
    final = await runStep(args, ctx.env, ctx.workdir, null);
  }
  if (!first.killed && first.result?.ok === true) ctx.durations.set(phase, Math.round(0.7 * avg + 0.3 * first.ms));
  stats.cycles++;
  const fail = (why: string) =>
    stats.failures.push(`cycle ${stats.cycles} ${phase}${first.killed ? ` (killed at: ${first.killedAt})` : ""}: ${why}`);
  if (final.result?.ok !== true) {
    fail(`the re-run failed: ${JSON.stringify(final.result?.error ?? final.status)}`);
    return;
  }
  await checkAfter(ctx, fail, expectOurSnapshots, compareTargets);
  await extraCheck?.(fail);
}

async function settle(ctx: Soak): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && taggedProcesses(ctx.tag).length > 0) await new Promise((r) => setTimeout(r, 100));
}

async function checkAfter(ctx: Soak, fail: (why: string) => void, expectOurSnapshots: number, compareTargets: boolean): Promise<void> {
  await settle(ctx);
  const left = taggedProcesses(ctx.tag);
  if (left.length > 0) {
    fail(`processes left: ${left.map((p) => `${p.pid} ${p.cmd}`).join("; ")}`);
    for (const p of left) spawnSync("kill", ["-9", String(p.pid)]);
  }
  const text = readFileSync(join(ctx.workdir, "manifest.json"), "utf8");
  const parsed = Manifest.safeParse(JSON.parse(text));
  if (!parsed.success)
    return fail(`manifest does not validate: ${parsed.error.issues.slice(0, 3).map((i) => i.path.join(".") + " " + i.message)}`);
  if (parsed.data.lastError !== null) fail(`lastError after a successful command: ${JSON.stringify(parsed.data.lastError)}`);
  ctx.stats.strayTempFiles = readdirSync(ctx.workdir).filter((f) => f.includes(".tmp-")).length + ctx.strayBefore;
  // the lab's answers and our own hashing overlap: each lab call is a process of its own
  const disk = parsed.data.disks[0]!;
  const [snapshots, hashes] = await Promise.all([
    ctx.lab.snapshots(VM),
    compareTargets ? Promise.all([ctx.lab.diskHash(VM, 0), hashImage(disk.target.path, disk.target.format)]) : undefined,
  ]);
  if (snapshots.ours.length !== expectOurSnapshots)
    fail(`${snapshots.ours.length} migration snapshot(s) on the VM, expected ${expectOurSnapshots}`);
  const user = snapshots.all.length - snapshots.ours.length;
  if (user !== 0) fail(`${user} foreign snapshot(s) appeared`);
  if (hashes) {
    const [want, got] = hashes;
    if (want !== got) fail(`target ${disk.target.path} differs from the lab disk (${got.slice(0, 12)} != ${want.slice(0, 12)})`);
  }
}

interface Soak {
  lab: SoakLab;
  env: Record<string, string>;
  tag: string;
  base: string;
  workdir: string;
  dst: string;
  random: () => number;
  stats: Stats;
  libvirt: LibvirtdHandle;
  bridge: string;
  durations: Map<string, number>;
  strayBefore: number;
}

/** One migration of boot01 from init to the final round, every step a soak cycle. */
async function migration(ctx: Soak, deadline: number, maxCycles: number): Promise<void> {
  const n = ctx.stats.migrations++;
  ctx.workdir = join(ctx.base, `wd-${n}`);
  ctx.dst = join(ctx.base, `dst-${n}`);
  spawnSync("mkdir", ["-p", ctx.dst]);
  const wd = ["--workdir", ctx.workdir];
  const more = () => Date.now() < deadline && ctx.stats.cycles < maxCycles;
  await ctx.lab.power(VM, "poweredOn");
  await cycle(ctx, "init", [...wd, "init", "--vm", VM, "--dst", ctx.dst], 0, false);
  if (more()) await cycle(ctx, "cbt enable", [...wd, "cbt", "enable"], 0, false);
  if (more()) await cycle(ctx, "snapshot base", [...wd, "snapshot", "base"], 1, false);
  if (more()) await cycle(ctx, "sync base", [...wd, "sync", "base"], 0, true);
  const rounds = 1 + Math.floor(ctx.random() * 3);
  for (let r = 0; r < rounds && more(); r++) {
    await ctx.lab.guestWrites(VM, ctx.random);
    // half the rounds take their snapshot first (runbook), half let sync take it
    if (ctx.random() < 0.5) await cycle(ctx, "snapshot incr", [...wd, "snapshot", "incr"], 1, false);
    if (more()) await cycle(ctx, "sync incr", [...wd, "sync", "incr"], 0, true);
  }
  // every other migration ends through cutover, verify, rollback and cleanup; the others by hand
  if (more() && n % 2 === 1) await cutoverToCleanup(ctx, wd, more);
  else if (more()) {
    await ctx.lab.guestWrites(VM, ctx.random);
    await ctx.lab.power(VM, "poweredOff");
    await cycle(ctx, "snapshot final", [...wd, "snapshot", "final"], 1, false);
    if (more()) await cycle(ctx, "sync final", [...wd, "sync", "final"], 0, true);
  }
  ctx.strayBefore += readdirSync(ctx.workdir).filter((f) => f.includes(".tmp-")).length;
  rmSync(ctx.dst, { recursive: true, force: true });
}

/** Cutover (power-off, final round, define without start), quick verify, rollback and cleanup: each a soak cycle. */
async function cutoverToCleanup(ctx: Soak, wd: string[], more: () => boolean): Promise<void> {
  const domain = `${ctx.tag}-${ctx.stats.migrations}`;
  const state = async () => {
    const r = spawnSync("virsh", ["-c", ctx.libvirt.uri, "domstate", domain], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : "absent";
  };
  const domainIs = (want: (s: string) => boolean, what: string) => async (fail: (why: string) => void) => {
    const s = await state();
    if (!want(s)) fail(`domain ${domain} is '${s}', expected ${what}`);
  };
  const vmIs = (want: string) => async (fail: (why: string) => void) => {
    const s = (await ctx.lab.vm(VM)).powerState;
    if (s !== want) fail(`the VMware VM is ${s}, expected ${want}`);
  };
  await ctx.lab.guestWrites(VM, ctx.random);
  const cutover = [...wd, "cutover", "--shutdown", "poweroff", "--convert", "none", "--domain-name", domain];
  await cycle(ctx, "cutover", [...cutover, "--network-map-default", ctx.bridge], 0, true, async (fail) => {
    await domainIs((s) => s === "shut off", "defined, shut off")(fail);
    await vmIs("poweredOff")(fail);
  });
  if (more()) await cycle(ctx, "verify", [...wd, "verify", "--mode", "quick", "--samples", "16"], 0, true);
  if (more()) {
    await cycle(ctx, "rollback", [...wd, "rollback"], 0, true, async (fail) => {
      await domainIs((s) => s === "absent", "undefined")(fail);
      await vmIs("poweredOn")(fail);
    });
  }
  if (more()) await cycle(ctx, "cleanup", [...wd, "cleanup", "--keep-workdir"], 0, false);
  spawnSync("virsh", ["-c", ctx.libvirt.uri, "undefine", "--nvram", domain], { stdio: "ignore" }); // when cut short
}

function report(o: Options, stats: Stats, seconds: number): void {
  const lines = [
    `soak: seed ${o.seed}, ${seconds.toFixed(0)} s, ${stats.cycles} cycles in ${stats.migrations} migration(s) of ${VM} (${DISK_BYTES / MiB} MiB)`,
    `kills per phase: ${[...stats.kills].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
    `finished before their kill: ${[...stats.finishedBeforeKill].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`,
    "kill points (phase: last event before the kill):",
    ...[...stats.killPoints].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${String(v).padStart(4)}  ${k}`),
    `temp files left by kills mid-write: ${stats.strayTempFiles}`,
    `failures: ${stats.failures.length}`,
    ...stats.failures.map((f) => `  FAIL ${f}`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

async function main(): Promise<number> {
  const o = options();
  process.stdout.write(`soak: seed ${o.seed} (repeat with SOAK_SEED=${o.seed}), up to ${o.seconds} s\n`);
  const base = mkdtempSync(join(tmpdir(), "v2k-soak-"));
  const lab = await startSoakLab(join(base, "lab"));
  const tag = `soak-${o.seed}-${process.pid}`;
  const libvirt = await startLibvirtd();
  const bridge = `v2ksoak${process.pid % 100000}`;
  await addTestBridge(bridge);
  const stats: Stats = {
    cycles: 0,
    kills: new Map(),
    killPoints: new Map(),
    finishedBeforeKill: new Map(),
    failures: [],
    migrations: 0,
    strayTempFiles: 0,
  };
  const ctx: Soak = {
    lab,
    base,
    tag,
    stats,
    workdir: "",
    dst: "",
    random: rng(o.seed),
    durations: new Map(),
    strayBefore: 0,
    libvirt,
    bridge,
    env: { ...lab.env, V2K_SOAK_TAG: tag, TMPDIR: base },
  };
  const t0 = Date.now();
  const deadline = t0 + o.seconds * 1000;
  try {
    while (Date.now() < deadline && stats.cycles < o.cycles) await migration(ctx, deadline, o.cycles);
  } catch (e) {
    stats.failures.push(`soak aborted: ${e instanceof Error ? e.stack : String(e)}`);
  } finally {
    await lab.stop();
    await removeTestBridge(bridge);
    await libvirt.release();
    for (const p of taggedProcesses(tag)) spawnSync("kill", ["-9", String(p.pid)]);
    if (stats.failures.length === 0) rmSync(base, { recursive: true, force: true });
    else process.stdout.write(`soak: kept ${base} for inspection\n`);
  }
  report(o, stats, (Date.now() - t0) / 1000);
  return stats.failures.length === 0 ? 0 : 1;
}

if (!existsSync(HELPER)) {
  process.stderr.write("build first (node build.mjs): dist/ablestack_v2k is missing\n");
  process.exit(2);
}
main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
