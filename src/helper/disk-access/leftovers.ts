// A helper killed with -9 cannot stop its qemu-nbd (nbdkit runs with --exit-with-parent and
// dies by itself). A leftover qemu-nbd still holds the target image's write lock, so before a
// disk is opened again we stop qemu-nbd processes serving exactly that image path.
import { readdirSync, readFileSync } from "node:fs";

function cmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8")
      .split("\0")
      .filter((s) => s !== "");
  } catch {
    return null;
  }
}

export function findImageServers(imagePath: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const argv = cmdline(pid);
    if (!argv || argv.length === 0) continue;
    const prog = argv[0]!.split("/").pop();
    if (prog === "qemu-nbd" && argv.at(-1) === imagePath) out.push(pid);
  }
  return out;
}

/** SIGTERM, then SIGKILL after a grace period; returns the pids stopped. */
export async function stopImageServers(imagePath: string, graceMs = 3000): Promise<number[]> {
  const pids = findImageServers(imagePath);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      /* gone */
    }
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && pids.some((p) => cmdline(p) !== null)) await new Promise((r) => setTimeout(r, 100));
  for (const pid of pids) {
    if (cmdline(pid) !== null) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
  return pids;
}
