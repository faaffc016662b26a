// `run --detach`: the pipeline outlives the terminal (and the browser). With systemd as PID 1 it runs
// as the transient unit ablestack-v2k-<run-id> (systemd-run); elsewhere as a detached session
// (setsid) whose output goes to <workdir>/run.log and whose pid is in <workdir>/run.pid. Either way
// the helper records <workdir>/operation.json (the page's format) and the page follows events.log.
// The vCenter password reaches the child on stdin (a 0600 file for systemd, deleted once started).
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { OperationRecord } from "../../shared/results";
import { exec } from "../../kit/exec";
import { writeFileAtomic } from "../state/index";

export const RUN_LOG = "run.log";
export const RUN_PID = "run.pid";
export const OPERATION_FILE = "operation.json";
/** Set in the child's environment: it then records operation.json itself. */
export const DETACHED_ENV = "ABLESTACK_V2K_DETACHED";

export function unitNameFor(runId: string): string {
  return `ablestack-v2k-${runId}`.replace(/[^a-zA-Z0-9:_.-]/g, "_");
}

export function systemdIsInit(): boolean {
  return existsSync("/run/systemd/system");
}

/** The helper's own command line (node + loader flags + script), so the child runs the same build. */
export function selfArgv(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

/** Settings a unit does not inherit (systemd starts it with a clean environment); never a password. */
export function passedEnvironment(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => v !== undefined && (/^(ABLESTACK_V2K_|V2K_)/.test(k) || /^GOVC_(URL|USERNAME|THUMBPRINT|INSECURE)$/.test(k) || k === "PATH"))
    .filter(([k]) => !/PASSWORD|SECRET|TOKEN/i.test(k) && k !== DETACHED_ENV)
    .map(([k, v]) => `--setenv=${k}=${k === "GOVC_URL" ? withoutCredentials(v!) : v}`);
}

/** govc accepts https://user:pass@host in GOVC_URL; a unit's argv and environment must not carry it. */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
}

export function systemdRunArgv(unit: string, workdir: string, stdinFile: string, argv: string[], env: NodeJS.ProcessEnv = {}): string[] {
  return ["systemd-run", "--unit", unit, "--collect", "--quiet", "-p", "Type=exec",
    "-p", `StandardInput=file:${stdinFile}`,
    "-p", `StandardOutput=append:${join(workdir, RUN_LOG)}`, "-p", `StandardError=append:${join(workdir, RUN_LOG)}`,
    `--working-directory=${process.cwd()}`, ...passedEnvironment(env), `--setenv=${DETACHED_ENV}=${unit}`, "--", ...argv];
}

export interface Launched {
  workdir: string;
  mode: "systemd" | "setsid";
  unit?: string;
  pid?: number;
  log: string;
}

/** Starts `argv` (the helper with run options, --workdir included) detached; `stdin` carries the password. */
export async function launchDetached(workdir: string, runId: string, argv: string[], stdin: string): Promise<Launched> {
  const log = join(workdir, RUN_LOG);
  const unit = unitNameFor(runId);
  const env = { ...process.env } as Record<string, string>;
  delete env.GOVC_PASSWORD; // it travels on stdin
  if (systemdIsInit()) {
    const stdinFile = join(workdir, `.run-stdin-${process.pid}`);
    writeFileSync(stdinFile, stdin, { mode: 0o600 });
    try {
      const sd = systemdRunArgv(unit, workdir, stdinFile, argv, env);
      await exec(sd[0]!, sd.slice(1), { timeoutMs: 60_000, env });
    } finally {
      rmSync(stdinFile, { force: true }); // Type=exec: systemd opened it before returning
    }
    return { workdir, mode: "systemd", unit, log };
  }
  const out = openSync(log, "a", 0o600);
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true, // setsid: no controlling terminal, survives the parent's session
      stdio: ["pipe", out, out],
      env: { ...env, [DETACHED_ENV]: "" },
      // the current directory is kept: loader flags (--import tsx in development) resolve from it
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (e) => reject(new V2kError("PROCESS_FAILED", `cannot start the detached run: ${e.message}`, "Check the helper installation.")));
    });
    let exited: number | null | undefined;
    child.once("exit", (code) => (exited = code));
    child.stdin!.end(stdin);
    writeFileSync(join(workdir, RUN_PID), `${child.pid}\n`, { mode: 0o600 });
    // report a child that dies on start-up instead of a run that never happens
    await waitForStart(workdir, child.pid!, () => exited, log);
    child.unref();
    return { workdir, mode: "setsid", pid: child.pid!, log };
  } finally {
    closeSync(out);
  }
}

async function waitForStart(workdir: string, pid: number, exited: () => number | null | undefined, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (exited() !== undefined) {
      const tail = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
      throw new V2kError("PROCESS_FAILED", `the detached run exited at once (exit ${String(exited())})`, `See ${log}.`, { detail: tail });
    }
    try {
      if (OperationRecord.parse(JSON.parse(readFileSync(join(workdir, OPERATION_FILE), "utf8"))).pid === pid) return;
    } catch {
      /* not written yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new V2kError("TIMEOUT", "the detached run did not report its start within 30 s", `See ${log}; the process ${pid} may still start.`);
}

/** Inside the detached child: announce the operation (page format) and, at the end, its exit code. */
export function recordOperationStart(workdir: string): void {
  const unit = process.env[DETACHED_ENV];
  if (unit === undefined) return;
  const rec: OperationRecord = { command: "run", pid: process.pid, startedAt: new Date().toISOString(), ...(unit ? { unit } : {}) };
  writeFileAtomic(join(workdir, OPERATION_FILE), JSON.stringify(rec) + "\n", 0o600);
}

export function recordOperationEnd(workdir: string, exitCode: number): void {
  if (process.env[DETACHED_ENV] === undefined) return;
  try {
    const rec = OperationRecord.parse(JSON.parse(readFileSync(join(workdir, OPERATION_FILE), "utf8")));
    rmSync(join(workdir, RUN_PID), { force: true }); // before the end record: readers see both or neither
    writeFileAtomic(join(workdir, OPERATION_FILE), JSON.stringify({ ...rec, finishedAt: new Date().toISOString(), exitCode }) + "\n", 0o600);
  } catch {
    /* the workdir may have been removed by the pipeline's own cleanup */
  }
}
