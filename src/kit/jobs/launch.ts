// Starts a command detached, so it outlives the terminal and the browser: a transient systemd unit
// when systemd is PID 1, else a detached session (setsid) whose output goes to a log file. With a
// supervisor (the usual case) the supervisor records operation.json, start and end; without one (a
// daemon such as the lab) the launcher records the start and the command is the job itself.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { type OperationRecord } from "../../shared/results";
import { exec } from "../exec";
import { jobStatus, liveStartTime, readJobRecord, writeJobRecord } from "./record";
import { sweepStaleStdinFiles, writeStdinFile } from "./stdin-file";
import { superviseArgs } from "./supervise";
import { systemdIsInit, systemdRunArgv, unitNameFor } from "./systemd";

export interface StartJobRequest {
  /** Holds operation.json, the log and the stdin directory. */
  dir: string;
  /** The unit is ablestack-v2k-<name>. */
  name: string;
  /** What the job does, e.g. "sync incr" (operation.json's command). */
  label: string;
  /** The command; never a secret (see stdin). */
  argv: string[];
  /** The command's stdin, e.g. a password. */
  stdin?: string;
  /** Log file name inside dir. */
  log: string;
  /** Argv prefix of a command that calls superviseJob with superviseArgs; none: the command is the job. */
  supervisor?: string[];
  env?: NodeJS.ProcessEnv;
  /** Forced mode (tests); default: systemd when it is PID 1. */
  mode?: "systemd" | "setsid";
  startTimeoutMs?: number;
}

export interface StartedJob {
  id: string;
  mode: "systemd" | "setsid";
  unit?: string;
  pid: number;
  log: string;
  record: OperationRecord;
}

/** Environment for the job: everything but secrets (they travel on stdin). */
function jobEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !/PASSWORD|SECRET|TOKEN/i.test(k)) out[k] = v;
  return out;
}

export async function startJob(req: StartJobRequest): Promise<StartedJob> {
  sweepStaleStdinFiles(req.dir);
  const current = jobStatus(req.dir);
  if (current.state === "running") {
    throw new V2kError(
      "WORKDIR_LOCKED",
      `'${current.record!.command}' (pid ${current.record!.pid}) still runs in ${req.dir}`,
      "Wait for it to end, or cancel it: 'ablestack_v2k job cancel --workdir DIR'.",
    );
  }
  const id = randomBytes(6).toString("hex");
  const mode = req.mode ?? (systemdIsInit() ? "systemd" : "setsid");
  const unit = mode === "systemd" ? unitNameFor(req.name) : undefined;
  const argv = req.supervisor
    ? [...req.supervisor, ...superviseArgs({ dir: req.dir, id, label: req.label, unit, argv: req.argv })]
    : req.argv;
  const env = jobEnvironment(req.env ?? process.env);
  const launched = mode === "systemd" ? await launchUnit(req, unit!, argv, env) : launchSession(req, argv, env);
  if (!req.supervisor) {
    const pid = launched.pid ?? (await unitMainPid(unit!, env));
    const record: OperationRecord = {
      command: req.label,
      pid,
      procStart: liveStartTime(pid),
      startedAt: new Date().toISOString(),
      id,
      mode,
      argv: req.argv,
      ...(unit ? { unit } : {}),
    };
    writeJobRecord(req.dir, record);
    return { id, mode, pid, log: join(req.dir, req.log), record, ...(unit ? { unit } : {}) };
  }
  const record = await waitForRecord(req, id, launched.exited);
  return { id, mode, pid: record.pid, log: join(req.dir, req.log), record, ...(unit ? { unit } : {}) };
}

async function launchUnit(
  req: StartJobRequest,
  unit: string,
  argv: string[],
  env: Record<string, string>,
): Promise<{ pid?: number; exited: () => boolean }> {
  const stdinFile = req.stdin === undefined ? undefined : writeStdinFile(req.dir, req.stdin);
  try {
    const sd = systemdRunArgv({ unit, dir: req.dir, log: req.log, stdinFile, argv, env, cwd: process.cwd() });
    const r = await exec(sd[0]!, sd.slice(1), { timeoutMs: 60_000, env, okCodes: [0, 1] });
    if (r.exitCode !== 0) {
      throw new V2kError("PROCESS_FAILED", `systemd-run could not start ${unit}`, "See the journal: 'journalctl -xe'.", {
        detail: r.stderr.trim(),
      });
    }
  } finally {
    if (stdinFile) rmSync(stdinFile, { force: true }); // Type=exec: systemd opened it before returning
  }
  return { exited: () => false };
}

function launchSession(req: StartJobRequest, argv: string[], env: Record<string, string>): { pid: number; exited: () => boolean } {
  const out = openSync(join(req.dir, req.log), "a", 0o600);
  try {
    // node's spawn: the job must own its log descriptor (it outlives this process)
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["pipe", out, out], env });
    let exited = false;
    child.once("error", () => (exited = true));
    child.once("exit", () => (exited = true));
    child.stdin!.on("error", () => undefined); // a job that does not read stdin
    child.stdin!.end(req.stdin ?? ""); // the pipe's buffer holds it until the command reads
    child.unref();
    if (child.pid === undefined) throw new V2kError("PROCESS_FAILED", `cannot start ${argv[0]}`, "Check the helper installation.");
    return { pid: child.pid, exited: () => exited };
  } finally {
    closeSync(out);
  }
}

/** The unit's main pid (a job without supervisor under systemd). */
async function unitMainPid(unit: string, env: Record<string, string>): Promise<number> {
  const r = await exec("systemctl", ["show", "--property", "MainPID", "--value", unit], { timeoutMs: 30_000, env });
  const pid = Number(r.stdout.trim());
  if (!(pid > 0)) throw new V2kError("PROCESS_FAILED", `${unit} has no main process`, `See 'journalctl -u ${unit}'.`);
  return pid;
}

/** The supervisor records operation.json with our id once the command runs; a quick death is reported. */
async function waitForRecord(req: StartJobRequest, id: string, exited: () => boolean): Promise<OperationRecord> {
  const log = join(req.dir, req.log);
  const deadline = Date.now() + (req.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    const record = readJobRecord(req.dir);
    if (record?.id === id) return record;
    if (exited()) {
      const tail = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
      throw new V2kError("PROCESS_FAILED", `the detached job '${req.label}' exited at once`, `See ${log}.`, { detail: tail });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new V2kError("TIMEOUT", `the detached job '${req.label}' did not report its start in time`, `See ${log}; it may still start.`);
}

/** This program's own command line (node + loader flags + script), so a job runs the same build. */
export function selfArgv(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}
