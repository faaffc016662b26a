// `job start|status|cancel|tail`: the helper's detached jobs (src/kit/jobs), for the page and for
// scripts. `job start --workdir W -- ARGS` runs `ablestack_v2k --json --workdir W ARGS` detached
// (a systemd unit or a setsid session), its stdin (a password) passed on; `job supervise` is the
// job's main process and is not meant to be typed.
import { statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { z } from "zod";
import { defineCommand, type Command, type CommandContext } from "../../kit/cli/command";
import { V2kError } from "../../shared/v2k-error";
import { cancelJob, followFile, jobStatus, readTail, startJob, superviseJob } from "../../kit/jobs/index";
import { helperJobArgv, helperSupervisor } from "../run/launcher";

const JOB_LOG = "job.log";

function existingDir(path: string): string {
  const dir = resolve(path);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* missing */
  }
  if (!isDir) throw new V2kError("WORKDIR_INVALID", `${dir} is not a directory`, "Pass the migration's workdir with --workdir.");
  return dir;
}

/** The job's directory: the global --workdir (a migration's workdir), before or after the command words. */
function jobDir(ctx: CommandContext): string {
  if (!ctx.global.workdir) throw new V2kError("USAGE", "--workdir is required", "Pass the migration's workdir with --workdir.");
  return existingDir(ctx.global.workdir);
}

/** The helper command's words ("sync incr"), without options and their values. */
function commandWords(args: string[]): string[] {
  const i = args.findIndex((a) => a.startsWith("-"));
  return (i === -1 ? args : args.slice(0, i)).slice(0, 2);
}

export const jobStartCommand = defineCommand({
  path: ["job", "start"],
  summary: "run a helper command detached (systemd unit or background session); its stdin (a password) is passed on",
  options: {
    name: {
      type: "string",
      valueName: "NAME",
      description: "unit name suffix: ablestack-v2k-NAME (default: the workdir's name and the command)",
    },
    log: { type: "string", valueName: "FILE", description: `log file in the workdir (default ${JOB_LOG})` },
  },
  schema: z.object({
    name: z.string().min(1).optional(),
    log: z
      .string()
      .regex(/^[^/]+$/, "--log is a file name")
      .default(JOB_LOG),
    positionals: z.array(z.string()).min(1, "the helper command to run goes after '--'"),
  }),
  render: (d) => {
    const r = d as { label: string; unit?: string; pid: number };
    return `${r.label} running (${r.unit ? `unit ${r.unit}` : `pid ${r.pid}`})`;
  },
  async run(o, ctx) {
    const dir = jobDir(ctx);
    const words = commandWords(o.positionals);
    if (words[0] === "job") throw new V2kError("USAGE", "a job cannot start a job command", "Pass a migration command, e.g. 'sync incr'.");
    const label = words.join(" ") || o.positionals[0]!;
    const stdin = await ctx.readStdin();
    const started = await startJob({
      dir,
      name: o.name ?? `${basename(dir)}-${words.join("-")}`,
      label,
      argv: helperJobArgv(dir, o.positionals),
      ...(stdin ? { stdin } : {}),
      log: o.log,
      supervisor: helperSupervisor(),
    });
    const { id, mode, pid, log, unit } = started;
    return { workdir: dir, label, id, mode, pid, log, ...(unit ? { unit } : {}) };
  },
});

export const jobSuperviseCommand = defineCommand({
  path: ["job", "supervise"],
  summary: "the main process of a detached job: runs it and records its end in operation.json",
  hidden: true,
  options: {
    id: { type: "string", valueName: "ID", description: "the launch's id" },
    label: { type: "string", valueName: "TEXT", description: "what the job does" },
    unit: { type: "string", valueName: "UNIT", description: "the systemd unit it runs in" },
  },
  schema: z.object({
    id: z.string().min(1),
    label: z.string().min(1),
    unit: z.string().optional(),
    positionals: z.array(z.string()).min(1),
  }),
  render: (d) => `job ended with exit code ${(d as { exitCode: number }).exitCode}`,
  exitCode: (d) => (d as { exitCode: number }).exitCode,
  async run(o, ctx) {
    const exitCode = await superviseJob({ dir: jobDir(ctx), id: o.id, label: o.label, unit: o.unit, argv: o.positionals });
    return { exitCode };
  },
});

export const jobStatusCommand = defineCommand({
  path: ["job", "status"],
  summary: "the workdir's detached job: running, exited (with its exit code), lost or none",
  options: {},
  schema: z.object({ positionals: z.array(z.string()).max(0) }),
  render: (d) => {
    const s = d as ReturnType<typeof jobStatus>;
    if (!s.record) return "no job";
    const end = s.state === "exited" ? ` (exit ${s.record.exitCode}${s.record.cancelled ? ", cancelled" : ""})` : "";
    return `${s.record.command}: ${s.state}${end}`;
  },
  async run(_o, ctx) {
    return jobStatus(jobDir(ctx));
  },
});

export const jobCancelCommand = defineCommand({
  path: ["job", "cancel"],
  summary: "stop the workdir's detached job: SIGTERM, SIGKILL after the grace period; recorded as cancelled",
  options: { grace: { type: "string", valueName: "S", description: "seconds between SIGTERM and SIGKILL (default 10)" } },
  schema: z.object({
    grace: z.coerce.number().nonnegative().max(3600).default(10),
    positionals: z.array(z.string()).max(0),
  }),
  render: (d) => {
    const s = d as ReturnType<typeof jobStatus>;
    return s.record ? `${s.record.command}: ${s.state}${s.record.cancelled ? " (cancelled)" : ""}` : "no job";
  },
  async run(o, ctx) {
    return cancelJob(jobDir(ctx), o.grace * 1000);
  },
});

export const jobTailCommand = defineCommand({
  path: ["job", "tail"],
  summary: "what a file holds from a byte offset ({size, start, text}); --follow prints one JSON line per new run of lines",
  options: {
    file: { type: "string", valueName: "PATH", description: "the file (e.g. a workdir's events.log)" },
    offset: { type: "string", valueName: "BYTES", description: "where to start (default -1: the last --window bytes)" },
    window: { type: "string", valueName: "BYTES", description: "bytes read from the end when --offset is -1 (default 2 MiB)" },
    follow: { type: "boolean", description: "keep printing what is appended until interrupted" },
  },
  schema: z.object({
    file: z.string({ required_error: "--file is required" }).min(1),
    offset: z.coerce.number().int().min(-1).default(-1),
    window: z.coerce
      .number()
      .int()
      .positive()
      .default(2 * 1024 * 1024),
    follow: z.boolean().default(false),
    positionals: z.array(z.string()).max(0),
  }),
  render: (d) => (d as { text?: string }).text ?? "",
  async run(o, ctx) {
    const path = resolve(o.file);
    const first = readTail(path, o.offset, o.window);
    if (!o.follow) return first;
    const print = (c: object) => void process.stdout.write(JSON.stringify({ type: "tail", ...c }) + "\n");
    await followFile(path, Math.max(0, first.start), print, ctx.signal); // complete lines only
    return { file: path, followed: true };
  },
});

export const jobCommands: Command[] = [jobStartCommand, jobSuperviseCommand, jobStatusCommand, jobCancelCommand, jobTailCommand];
