// `lab stop --dir D`: end the lab process that serves D (SIGTERM, then SIGKILL after a grace period).
import { z } from "zod";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineCommand } from "../../kit/cli/command";
import { readLabFile } from "../labfile";
import { processAlive } from "../../kit/process";

const GRACE_MS = 15_000;

/** True when pid is a lab server process (so a recycled pid is never signalled). */
function isLabProcess(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const i = argv.indexOf("lab");
    return i >= 0 && argv[i + 1] === "start";
  } catch {
    return false;
  }
}

export async function stopLab(dir: string): Promise<{ stopped: boolean; pid: number | null; forced: boolean }> {
  const info = readLabFile(dir);
  const pid = info.pid;
  if (pid === null || !processAlive(pid) || !isLabProcess(pid)) return { stopped: false, pid, forced: false };
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return { stopped: true, pid, forced: false };
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGKILL");
  return { stopped: true, pid, forced: true };
}

export const labStopCommand = defineCommand({
  path: ["lab", "stop"],
  summary: "stop the lab serving a directory",
  options: { dir: { type: "string", description: "lab directory", valueName: "DIR" } },
  schema: z.object({ dir: z.string().min(1, "--dir is required"), positionals: z.array(z.string()).max(0) }),
  render: (d) => {
    const r = d as { stopped: boolean; pid: number | null };
    return r.stopped ? `lab stopped (pid ${r.pid})` : "no lab was running";
  },
  async run(o) {
    return stopLab(resolve(o.dir));
  },
});
