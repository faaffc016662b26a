// A helper killed with -9 cannot stop its qemu-nbd (nbdkit runs with --exit-with-parent and
// dies by itself). A leftover qemu-nbd still holds the target image's write lock, so before a
// disk is opened again we stop qemu-nbd processes serving exactly that image path.
import { findProcesses, programOf, terminateProcesses } from "../../kit/process";

export function findImageServers(imagePath: string): number[] {
  return findProcesses((argv) => programOf(argv) === "qemu-nbd" && argv.at(-1) === imagePath);
}

/** SIGTERM, then SIGKILL after a grace period; returns the pids stopped. */
export async function stopImageServers(imagePath: string, graceMs = 3000): Promise<number[]> {
  const pids = findImageServers(imagePath);
  await terminateProcesses(pids, graceMs);
  return pids;
}
