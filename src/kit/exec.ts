// The one door to subprocesses: argv arrays (no shell), a timeout and a cancel signal on every call,
// and foreign failures turned into V2kError here, once.
import { execa } from "execa";
import { V2kError } from "../shared/v2k-error";

export interface ExecOptions {
  timeoutMs: number;
  input?: string | Buffer; // secrets travel here, never in argv
  signal?: AbortSignal;
  env?: Record<string, string>;
  cwd?: string;
  /** Exit codes that are not failures (default [0]). */
  okCodes?: number[];
  /** stdout and stderr appended to this file instead of kept in memory (long, verbose tools). */
  logFile?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function exec(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const result = await execa(file, args, {
    timeout: options.timeoutMs,
    ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" as const }),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.logFile ? { stdout: { file: options.logFile, append: true }, stderr: { file: options.logFile, append: true } } : {}),
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });
  const cmd = [file, ...args].join(" ");
  if (result.failed && (result as { code?: string }).code === "ENOENT") {
    throw new V2kError("TOOL_MISSING", `${file} is not installed`, "Run 'make deps' (pkg/install-deps.sh) on this host.");
  }
  if (result.timedOut) {
    throw new V2kError("TIMEOUT", `${file} did not finish within ${options.timeoutMs} ms`, "Check the host load and retry.", {
      detail: `${cmd}\n${String(result.stderr)}`,
    });
  }
  if (result.isCanceled) {
    throw new V2kError("CANCELLED", `${file} was cancelled`, "Re-run the command to continue from the workdir.");
  }
  const exitCode = result.exitCode ?? -1;
  const ok = options.okCodes ?? [0];
  if (!ok.includes(exitCode)) {
    const stderr = String(result.stderr).trim();
    throw new V2kError("PROCESS_FAILED", `${file} failed (exit ${exitCode}): ${firstLine(stderr) || "no error output"}`,
      "See the detail for the tool's output.", { detail: `${cmd}\n${stderr}` });
  }
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode };
}

function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}
