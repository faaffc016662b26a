import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { ROUND_KINDS, snapshotDecls, syncDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { requireWorkdirPath, withWorkdir } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { prepareRound, runRound, type RoundSummary } from "../sync/round";
import { copyLimitsOf } from "./copy-limit-options";
import { withRecordedOptions } from "./recorded-options";

const kindSchema = z.tuple([z.enum(ROUND_KINDS)]);

export const snapshotCommand = defineCommand({
  path: ["snapshot"],
  summary: "create the next round's migration snapshot (base|incr|final)",
  options: optionSpecs(snapshotDecls),
  schema: z.object({ positionals: kindSchema, ...zodFields(snapshotDecls) }),
  render: (data) => {
    const r = data as { round: number; kind: string; snapshot: string | null; alreadySynced: boolean };
    return r.alreadySynced ? `round ${r.round} (${r.kind}) is already synced` : `round ${r.round} (${r.kind}): snapshot ${r.snapshot}`;
  },
  async run(o, ctx) {
    const kind = o.positionals[0];
    return withWorkdir(requireWorkdirPath(ctx.global.workdir), ctx.emitter, `snapshot ${kind}`, (wd) =>
      withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, wd.manifest.vcenter, async ({ bridge }) => {
        const r = await prepareRound(wd, bridge, kind, `snapshot ${kind}`);
        if ("done" in r) return { round: r.done.n, kind, snapshot: null, alreadySynced: true };
        return { round: r.round.n, kind, snapshot: r.snapshot, alreadySynced: false };
      }),
    );
  },
});

export const syncCommand = defineCommand({
  path: ["sync"],
  summary: "copy the round's data to the targets (base|incr|final), then remove its snapshot",
  options: optionSpecs(syncDecls),
  schema: z.object({ positionals: kindSchema, ...zodFields(syncDecls) }),
  render: (data) => {
    const r = data as RoundSummary;
    return r.alreadySynced
      ? `round ${r.round} (${r.kind}) was already synced`
      : `round ${r.round} (${r.kind}) synced: ${r.changedBytes} changed bytes, ${r.copiedBytes} copied, ${(r.durationMs / 1000).toFixed(1)} s${r.rebased.length ? `, rebased disks ${r.rebased.join(", ")}` : ""}`;
  },
  async run(typed, ctx) {
    const kind = typed.positionals[0];
    const { options: o, report } = withRecordedOptions("sync", typed, ctx);
    return withWorkdir(requireWorkdirPath(ctx.global.workdir), ctx.emitter, `sync ${kind}`, (wd) => {
      report(wd.emitter, `sync ${kind}`);
      return withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, wd.manifest.vcenter, (session) =>
        runRound(wd, session, {
          kind,
          jobs: o.jobs,
          chunkSize: o.chunk,
          coalesceGap: o["coalesce-gap"],
          limits: copyLimitsOf(o),
          signal: ctx.signal,
        }),
      );
    });
  },
});
