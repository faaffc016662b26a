// The one door to subprocesses: argv arrays (no shell), a timeout and a cancel signal on every call,
// and foreign failures turned into V2kError here, once.
import { closeSync, openSync } from "node:fs";
import { execa } from "execa";
import { V2kError } from "../shared/v2k-error";
import { childEnvironment } from "./child-env";

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
  // a log file is handed to the child as its descriptor: no pipe a lingering grandchild could keep open
  const logFd = options.logFile ? openSync(options.logFile, "a", 0o600) : undefined;
  try {
    return await execOnce(file, args, options, logFd);
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
}

async function execOnce(file: string, args: readonly string[], options: ExecOptions, logFd: number | undefined): Promise<ExecResult> {
  const result = await execa(file, args, {
    timeout: options.timeoutMs,
    ...(options.input !== undefined ? { input: options.input } : { stdin: "ignore" as const }),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    // secrets never reach a child's environment; options.env adds to what is left
    env: { ...childEnvironment(), ...(options.env ?? {}) },
    extendEnv: false,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    // execa types list only 0-2, but passes any descriptor number to spawn()
    ...(logFd !== undefined ? { stdout: logFd as unknown as "inherit", stderr: logFd as unknown as "inherit" } : {}),
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
    throw new V2kError(
      "PROCESS_FAILED",
      `${file} failed (exit ${exitCode}): ${firstLine(stderr) || "no error output"}`,
      "See the detail for the tool's output.",
      { detail: `${cmd}\n${stderr}` },
    );
  }
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode };
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? ""
  );
}
