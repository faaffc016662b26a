// What the lab benchmarks share: a lab started through the built CLI as the admin starts it (extra
// `lab start` options such as --datastore-workers N), the CPU of its process tree (the lab and its
// datastore workers), and a main that prints the load average around the run.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type LabFile } from "../../src/lab/labfile";
import { HELPER } from "../integration/engine-support";
import { type TestLab, labFields, labGovcEnv, waitForLab } from "../support/lab";

export interface BenchLab extends TestLab {
  /** govc-style environment for the helper. */
  env: Record<string, string>;
}

/** Starts `ablestack_v2k lab start --dir <temp> --scenario S ...extra` and waits until it answers. */
export async function startBenchLab(scenario: string, extra: string[] = []): Promise<BenchLab> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-bench-lab-"));
  const child = spawn(HELPER, ["lab", "start", "--dir", dir, "--scenario", scenario, ...extra], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => child.on("close", () => r()));
  const stop = async () => {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  let info: LabFile;
  try {
    info = await waitForLab(
      dir,
      child.pid,
      () => child.exitCode === null,
      () => err,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    ...labFields(info),
    env: labGovcEnv(info),
    output: () => err,
    stop,
    restart: () => Promise.reject(new Error("a bench lab is not restarted")),
  };
}

/** utime + stime of one process in seconds (/proc/PID/stat fields 14, 15); 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** A process and its descendants (from /proc/PID/task/TID/children). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        out.push(...readFileSync(`/proc/${p}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return out;
}

/** CPU seconds of a process tree, per pid: subtract two samples pid by pid (workers may come and go). */
export function treeCpu(pid: number): Map<number, number> {
  return new Map(processTree(pid).map((p) => [p, cpuSeconds(p)]));
}

export function cpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let s = 0;
  for (const [p, c] of after) s += c - (before.get(p) ?? 0);
  return s;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

/** A bench file run on its own: the load average at start and end around `run`; exit 1 on failure. */
export function benchMain(run: () => Promise<unknown>): void {
  process.stdout.write(`load average at start ${load()}\n`);
  run()
    .then(() => process.stdout.write(`load average at end ${load()}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    });
}
