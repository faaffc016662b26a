// Runs virt-v2v-in-place with its verbose output in a log file of the workdir (paths and guest facts
// only: no credentials reach it), and turns a failure into CONVERSION_FAILED with the log's tail.
import { appendFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { redact } from "../../shared/redact";
import { V2kError } from "../../shared/v2k-error";
import { exec } from "../../kit/exec";
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

/**
 * A killed virt-v2v leaves its persistent qemu-nbd (-t) serving the overlay; its pid file sits in our
 * TMPDIR (v2vqemunbd.*), so we end exactly those processes and nothing else.
 */
export function stopLeftovers(tmpDir: string): number[] {
  const stopped: number[] = [];
  if (!existsSync(tmpDir)) return stopped;
  for (const d of readdirSync(tmpDir).filter((n) => n.startsWith("v2vqemunbd."))) {
    for (const f of readdirSync(join(tmpDir, d)).filter((n) => n.endsWith(".pid"))) {
      const pid = Number(readFileSync(join(tmpDir, d, f), "utf8").trim());
      if (!Number.isInteger(pid) || pid <= 1) continue;
      try {
        process.kill(pid, "SIGTERM");
        stopped.push(pid);
      } catch {
        // already gone
      }
    }
  }
  return stopped;
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
    const stopped = stopLeftovers(cmd.env.TMPDIR!);
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
