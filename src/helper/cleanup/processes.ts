// Leftover nbdkit / qemu-nbd processes of one workdir (a helper killed with -9 cannot tear them
// down). A pid is only signalled when the process is nbdkit or qemu-nbd and its command line names
// this workdir or one of its target disks (never by program name alone).
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { findProcesses, processAlive, processCmdline, programOf, terminateProcesses } from "../../kit/process";

export interface LeftoverProcess {
  pid: number;
  pidFile: string;
  program: string;
}

function pidFiles(dir: string, depth = 3): string[] {
  if (depth < 0 || !existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...pidFiles(p, depth - 1));
    else if (e.isFile() && e.name.endsWith(".pid")) out.push(p);
  }
  return out;
}

/** The pid in a pid file, NaN when it is unreadable or vanished meanwhile. */
function readPid(file: string): number {
  try {
    return Number(readFileSync(file, "utf8").trim());
  } catch {
    return Number.NaN;
  }
}

/**
 * nbdkit / qemu-nbd processes of this migration that are still alive: named by a pid file under the
 * workdir, or (the data path keeps its sockets in private temp dirs) serving one of its target disks
 * or naming the workdir on their command line.
 */
export function findLeftoverProcesses(workdir: string, targets: readonly string[] = []): LeftoverProcess[] {
  const found = new Map<number, LeftoverProcess>();
  const ours = (args: string[]) =>
    args.some((a) => a.includes(workdir) || targets.some((t) => a === t || a.endsWith(`:${t}`) || a.endsWith(`=${t}`)));
  const consider = (pid: number, pidFile: string) => {
    if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || found.has(pid)) return;
    const args = processCmdline(pid);
    if (!args || args.length === 0) return;
    const program = programOf(args);
    if (!["nbdkit", "qemu-nbd"].includes(program) || !ours(args)) return;
    found.set(pid, { pid, pidFile, program });
  };
  for (const pidFile of pidFiles(workdir)) consider(readPid(pidFile), pidFile);
  for (const pid of findProcesses(() => true)) consider(pid, "");
  return [...found.values()];
}

/** SIGTERM, then SIGKILL after graceMs; removes the pid files. Returns what was stopped. */
export async function stopLeftoverProcesses(workdir: string, targets: readonly string[] = [], graceMs = 5000): Promise<LeftoverProcess[]> {
  const procs = findLeftoverProcesses(workdir, targets);
  await terminateProcesses(
    procs.map((p) => p.pid),
    graceMs,
  );
  // stale pid files of processes that are gone are removed too
  for (const f of pidFiles(workdir)) {
    const pid = readPid(f);
    if (!(pid > 0) || !processAlive(pid) || procs.some((p) => p.pidFile === f)) rmSync(f, { force: true });
  }
  return procs;
}
