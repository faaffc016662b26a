// Runs virt-v2v-in-place with its verbose output in a log file of the workdir (paths and guest facts
// only: no credentials reach it), and turns a failure into CONVERSION_FAILED with the log's tail.
import { appendFileSync, readFileSync } from "node:fs";
import { redact } from "../../shared/redact";
import { V2kError } from "../../shared/v2k-error";
import { exec } from "../../kit/exec";
import { findProcesses, programOf, terminateProcesses } from "../../kit/process";
import { type ConversionFacts, type V2vCommand, parseV2vFacts } from "./plan";

/** Conversion of a large guest under TCG takes long; a hung appliance must still end. */
const V2V_TIMEOUT_MS = 3 * 3600_000;

export function logTail(path: string, lines = 25): string {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "(no conversion log)";
  }
  // libguestfs' protocol traces say little: keep the lines a human reads first
  const all = text.split("\n").filter((l) => l.trim() !== "" && !/^libguestfs: (trace|recv_from_daemon|send_to_daemon)/.test(l));
  return redact(all.slice(-lines).join("\n"));
}

/** virt-v2v found no operating system on the disks (a data-only VM, or one it does not know). */
export function noGuestFound(logPath: string): boolean {
  try {
    return /inspection could not detect the source guest|No root device found in this operating system image/.test(
      readFileSync(logPath, "utf8"),
    );
  } catch {
    return false;
  }
}

/** Programs virt-v2v runs on our overlays (itself, its NBD servers, libguestfs' appliance). */
const V2V_PROGRAMS = /^(virt-v2v(-in-place)?|qemu-nbd|nbdkit|qemu-system-\w+|qemu-kvm|supermin)$/;

function processesUnder(dir: string): number[] {
  return findProcesses((argv) => V2V_PROGRAMS.test(programOf(argv)) && argv.some((a) => a.includes(`${dir}/`)));
}

/**
 * Processes left working on our overlays: virt-v2v's persistent qemu-nbd (-t) outlives a killed
 * virt-v2v, and a virt-v2v outlives a helper killed with -9. They hold the targets' locks (a final round
 * could not write), so they are stopped and waited for: SIGTERM, then SIGKILL after the grace period.
 */
export async function stopLeftovers(dir: string, graceMs = 5000): Promise<number[]> {
  const pids = processesUnder(dir);
  await terminateProcesses(pids, graceMs);
  return pids;
}

export async function runV2v(cmd: V2vCommand, logPath: string, signal?: AbortSignal): Promise<ConversionFacts> {
  appendFileSync(
    logPath,
    `# ${[cmd.file, ...cmd.args].join(" ")}\n# env: ${Object.entries(cmd.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}\n`,
    { mode: 0o600 },
  );
  try {
    await exec(cmd.file, cmd.args, {
      timeoutMs: V2V_TIMEOUT_MS,
      env: cmd.env,
      logFile: logPath,
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    const stopped = await stopLeftovers(cmd.env.TMPDIR!);
    if (stopped.length > 0) appendFileSync(logPath, `# stopped helper processes left behind: ${stopped.join(" ")}\n`);
    if (e instanceof V2kError && e.code === "CANCELLED") throw e;
    const why = e instanceof V2kError ? e.message : String(e);
    throw new V2kError(
      "CONVERSION_FAILED",
      `guest conversion failed: ${why}`,
      `The copied disks are unchanged. Read ${logPath}, fix the cause and re-run cutover, or re-run it with --convert none.`,
      { detail: logTail(logPath) },
    );
  }
  return parseV2vFacts(readFileSync(logPath, "utf8"));
}
