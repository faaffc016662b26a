// `run`: the whole migration unattended (see run/pipeline.ts), optionally detached (run/launcher.ts).
import { z } from "zod";
import { defineCommand, type CommandContext } from "../../kit/cli/command";
import { resolveVcenterAccess, vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { sizeOption } from "../../kit/sizes";
import { COPY_DEFAULTS } from "../engine/copy";
import { acquireLock, readManifest } from "../state/index";
import { CutoverFields, cutoverOptions } from "./cutover";
import { DEFAULT_CRITERION, parseCriterion } from "../run/criterion";
import { ensureInitialized, runPipeline, type RunPipelineOptions } from "../run/pipeline";
import { launchDetached } from "../run/launcher";
import { fleetDst, fleetVms, startFleet, stripFleetArgs } from "../run/fleet";
import { V2kError } from "../../shared/v2k-error";
import { copyLimitOptions, copyLimitSchemaFields, copyLimitsOf } from "./copy-limit-options";

const schema = z
  .object({
    vm: z.string().min(1).optional(),
    fleet: z.string().min(1).optional(),
    dst: z.string().min(1).optional(),
    "target-format": z.enum(["qcow2", "raw"]).default("qcow2"),
    transport: z.enum(["vddk", "http"]).default("http"),
    until: z.enum(["synced", "cutover"]).optional(),
    split: z.enum(["phase1", "phase2"]).optional(),
    interval: z.coerce.number().nonnegative().default(60),
    "max-rounds": z.coerce.number().int().positive().default(10),
    "cutover-when": z
      .string()
      .default(DEFAULT_CRITERION)
      .transform((t) => parseCriterion(t)),
    jobs: z.coerce.number().int().min(1).max(256).optional(),
    chunk: sizeOption("chunk", { positive: true }).optional(),
    "coalesce-gap": sizeOption("coalesce-gap", { positive: true }).optional(),
    ...copyLimitSchemaFields,
    detach: z.boolean().default(false),
    verify: z.enum(["none", "quick", "full"]).default("quick"),
    ...CutoverFields,
    ...vcenterSchemaFields,
    positionals: z.array(z.string()).max(0),
  })
  .refine((o) => !(o.split && o.until), "--split and --until exclude each other")
  .refine((o) => !(o.fleet && o.vm), "--fleet and --vm exclude each other")
  .refine((o) => !(o.start && o["define-only"]), "--start and --define-only exclude each other");
type RunOptions = z.output<typeof schema>;

function pipelineOptions(o: RunOptions): RunPipelineOptions {
  const until = o.split === "phase1" ? "synced" : o.split === "phase2" ? "cutover" : (o.until ?? "synced");
  return {
    vm: o.vm,
    dst: o.dst,
    resumeOnly: o.split === "phase2",
    targetFormat: o["target-format"],
    transport: o.transport,
    until,
    intervalSec: o.interval,
    maxRounds: o["max-rounds"],
    criterion: o["cutover-when"],
    tuning: { jobs: o.jobs, chunkSize: o.chunk, coalesceGap: o["coalesce-gap"], limits: copyLimitsOf(o) },
    // a cut-over run ends with a started VM unless --define-only
    cutover: { shutdown: o.shutdown, shutdownTimeoutSec: o["shutdown-timeout"], start: !o["define-only"], domain: o, convert: o.convert },
    verify: o.verify,
    flags: o,
  };
}

/** The detached run's options: the same, minus the workdir and password sources (the password goes on stdin). */
function childArgs(): string[] {
  const out: string[] = [];
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--detach" || a === "--password-stdin" || a === "--json") continue;
    if (a === "--password-file" || a === "--workdir") {
      i++;
      continue;
    }
    if (a.startsWith("--password-file=") || a.startsWith("--workdir=")) continue;
    out.push(a);
  }
  return [...out, "--password-stdin"];
}

/** `secret` carries the password from one detached run to the next (a fleet reads stdin once). */
async function detach(o: RunOptions, ctx: CommandContext, args = childArgs(), secret: { password?: string } = {}) {
  const po = pipelineOptions(o);
  const workdir = await ensureInitialized(po, ctx); // preflight + init in the foreground: errors show at once
  acquireLock(workdir, "run --detach").release(); // WORKDIR_LOCKED now rather than in the background
  const { manifest } = readManifest(workdir);
  const v = manifest.vcenter;
  secret.password ??= (
    await resolveVcenterAccess(
      o,
      { env: process.env, readStdin: ctx.readStdin },
      { url: v.url, username: v.username, thumbprint: v.thumbprint, insecure: v.insecure },
    )
  ).password;
  const launched = await launchDetached(workdir, manifest.runId, args, secret.password + "\n");
  ctx.emitter.log(
    "info",
    "run",
    `${manifest.vm.name}: ` +
      (launched.mode === "systemd"
        ? `running as systemd unit ${launched.unit}`
        : `running detached as pid ${launched.pid} (log ${launched.log})`),
  );
  return { detached: true, ...launched, runId: manifest.runId };
}

/** `run --vm a,b,c` / `--fleet FILE`: one detached run per VM, same options, own workdir and DST/<vm>. */
async function runFleet(vms: string[], o: RunOptions, ctx: CommandContext) {
  if (ctx.global.workdir) {
    throw new V2kError(
      "USAGE",
      "a fleet run makes one workdir per VM",
      "Leave out --workdir; 'ablestack_v2k list' shows the fleet's workdirs.",
    );
  }
  if (!o.dst) throw new V2kError("USAGE", "a fleet run needs --dst", "Pass --dst DIR: each VM's images go to DIR/<vm>.");
  const args = stripFleetArgs(childArgs());
  const secret: { password?: string } = {};
  const members = await startFleet(vms, (vm) => detach({ ...o, vm, dst: fleetDst(o.dst!, vm), fleet: undefined }, ctx, args, secret));
  return { fleet: members };
}

export const runCommand = defineCommand({
  path: ["run"],
  summary: "the whole migration unattended: preflight, init, CBT, base, incremental rounds, then ready or cut over",
  options: {
    vm: {
      type: "string",
      valueName: "NAME[,NAME...]",
      description: "the VM's name in vCenter (new runs); several names: one background run per VM (fleet)",
    },
    fleet: { type: "string", valueName: "FILE", description: "one background run per VM named in FILE (one name per line)" },
    dst: { type: "string", valueName: "DIR", description: "target directory for the disk images (new runs)" },
    "target-format": { type: "string", valueName: "qcow2|raw", description: "target image format (default qcow2)" },
    transport: { type: "string", valueName: "vddk|http", description: "source transport (default http)" },
    until: {
      type: "string",
      valueName: "synced|cutover",
      description: "stop when ready for cutover (default), or cut over and start the KVM VM",
    },
    split: {
      type: "string",
      valueName: "phase1|phase2",
      description: "phase1 = --until synced; phase2 = continue the phase1 workdir through cutover",
    },
    interval: { type: "string", valueName: "S", description: "seconds between incremental rounds (default 60)" },
    "max-rounds": { type: "string", valueName: "N", description: "incremental rounds at most before going on (default 10)" },
    "cutover-when": {
      type: "string",
      valueName: "bytes<X,seconds<Y",
      description: `ready when the last incremental round changed less than X and took less than Y (default ${DEFAULT_CRITERION})`,
    },
    jobs: { type: "string", valueName: "N", description: `requests in flight per disk (default ${COPY_DEFAULTS.requests})` },
    chunk: { type: "string", valueName: "SIZE", description: "bytes per request (default 4M)" },
    "coalesce-gap": { type: "string", valueName: "SIZE", description: "merge changed areas closer than this (default 1M)" },
    ...copyLimitOptions,
    verify: {
      type: "string",
      valueName: "none|quick|full",
      description: "data check after define and before start when cutting over (default quick)",
    },
    detach: {
      type: "boolean",
      description: "continue in the background (systemd unit ablestack-v2k-<run-id>, or a detached process logging to <workdir>/run.log)",
    },
    ...cutoverOptions,
    "define-only": { type: "boolean", description: "with --until cutover: define the domain but leave it stopped" },
    start: { type: "boolean", description: "with --until cutover: start the domain (the default for run)" },
    ...vcenterOptions,
  },
  schema,
  render(data) {
    const f = data as { fleet?: { vm: string; workdir?: string; error?: { code: string; message: string } }[] };
    if (f.fleet)
      return f.fleet
        .map((m) => (m.error ? `${m.vm}\tnot started: ${m.error.code} ${m.error.message}` : `${m.vm}\t${m.workdir}`))
        .join("\n");
    const r = data as { detached?: boolean; workdir: string; phase?: string; readyForCutover?: boolean; unit?: string; pid?: number };
    if (r.detached)
      return `${r.workdir}\nrunning in the background (${r.unit ? `unit ${r.unit}` : `pid ${r.pid}`}); follow ${r.workdir}/events.log`;
    return `${r.workdir}\nphase: ${r.phase}${r.phase === "started" ? " (KVM VM started)" : r.readyForCutover ? " - ready for cutover" : ""}`;
  },
  async run(o, ctx) {
    const fleet = fleetVms(o.vm, o.fleet);
    if (fleet) return runFleet(fleet, o, ctx);
    if (o.detach) return detach(o, ctx);
    return runPipeline(pipelineOptions(o), ctx);
  },
});
