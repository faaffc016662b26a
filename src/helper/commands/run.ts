// `run`: the whole migration unattended (see run/pipeline.ts), optionally detached (run/launcher.ts).
import { z } from "zod";
import { defineCommand, type CommandContext } from "../../kit/cli/command";
import { resolveVcenterAccess } from "../config/vcenter-access";
import { runDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { acquireLock, readManifest } from "../state/index";
import { ensureInitialized, runPipeline, type RunPipelineOptions } from "../run/pipeline";
import { launchDetached } from "../run/launcher";
import { stepContext } from "./step-context";
import { fleetDst, fleetVms, startFleet, stripFleetArgs } from "../run/fleet";
import { V2kError } from "../../shared/v2k-error";
import { copyLimitsOf } from "./copy-limit-options";
import { parseCutoverAt } from "../../shared/requests/cutover-at";
import { withRecordedOptions } from "./recorded-options";

const schema = z
  .object({
    ...zodFields(runDecls),
    positionals: z.array(z.string()).max(0),
  })
  .refine((o) => !(o.split && o.until), "--split and --until exclude each other")
  .refine((o) => !(o.fleet && o.vm), "--fleet and --vm exclude each other")
  .refine((o) => !(o.start && o["define-only"]), "--start and --define-only exclude each other")
  .refine(
    (o) => !o["cutover-at"] || o.until === "cutover" || o.split === "phase2",
    "--cutover-at schedules the cutover: it needs --until cutover (or --split phase2)",
  );
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
    ...(o["cutover-at"] ? { cutoverAt: parseCutoverAt(o["cutover-at"]) } : {}),
    tuning: { jobs: o.jobs, chunkSize: o.chunk, coalesceGap: o["coalesce-gap"], limits: copyLimitsOf(o) },
    // a cut-over run ends with a started VM unless --define-only
    cutover: { shutdown: o.shutdown, shutdownTimeoutSec: o["shutdown-timeout"], start: !o["define-only"], domain: o, convert: o.convert },
    verify: {
      // --no-verify is cutover's word for the same choice
      mode: o["no-verify"] ? "none" : o.verify,
      samples: o["verify-samples"],
      boot: { marker: o["boot-marker"], timeoutSec: o["boot-timeout"], agent: !o["no-agent"] },
    },
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
  const workdir = await ensureInitialized(po, stepContext(ctx)); // preflight + init in the foreground: errors show at once
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
  options: optionSpecs(runDecls),
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
  async run(typed, ctx) {
    const fleet = fleetVms(typed.vm, typed.fleet);
    if (fleet) return runFleet(fleet, typed, ctx);
    // a detached run applies them itself; here they are checked before it starts
    const { options: o, report } = withRecordedOptions("run", typed, ctx);
    if (o.detach) return detach(o, ctx);
    return runPipeline(pipelineOptions(o), stepContext(ctx), (wd) => report(wd.emitter, "run"));
  },
});
