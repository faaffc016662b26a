import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { sizeOption } from "../../kit/sizes";
import { COPY_DEFAULTS } from "../engine/copy";
import { requireWorkdirPath, withWorkdir } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { prepareRound, runRound, type RoundSummary } from "../sync/round";
import { copyLimitOptions, copyLimitSchemaFields, copyLimitsOf } from "./copy-limit-options";

const kindSchema = z.tuple([z.enum(["base", "incr", "final"])]);

export const snapshotCommand = defineCommand({
  path: ["snapshot"],
  summary: "create the next round's migration snapshot (base|incr|final)",
  options: { ...vcenterOptions },
  schema: z.object({ positionals: kindSchema, ...vcenterSchemaFields }),
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
  options: {
    jobs: { type: "string", valueName: "N", description: `requests in flight per disk (default ${COPY_DEFAULTS.requests})` },
    chunk: { type: "string", valueName: "SIZE", description: "bytes per request (default 4M)" },
    "coalesce-gap": { type: "string", valueName: "SIZE", description: "merge changed areas closer than this (default 1M)" },
    ...copyLimitOptions,
    ...vcenterOptions,
  },
  schema: z.object({
    positionals: kindSchema,
    jobs: z.coerce.number().int().min(1).max(256).optional(),
    chunk: sizeOption("chunk", { positive: true }).optional(),
    "coalesce-gap": sizeOption("coalesce-gap", { positive: true }).optional(),
    ...copyLimitSchemaFields,
    ...vcenterSchemaFields,
  }),
  render: (data) => {
    const r = data as RoundSummary;
    return r.alreadySynced
      ? `round ${r.round} (${r.kind}) was already synced`
      : `round ${r.round} (${r.kind}) synced: ${r.changedBytes} changed bytes, ${r.copiedBytes} copied, ${(r.durationMs / 1000).toFixed(1)} s${r.rebased.length ? `, rebased disks ${r.rebased.join(", ")}` : ""}`;
  },
  async run(o, ctx) {
    const kind = o.positionals[0];
    return withWorkdir(requireWorkdirPath(ctx.global.workdir), ctx.emitter, `sync ${kind}`, (wd) =>
      withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, wd.manifest.vcenter, (session) =>
        runRound(wd, session, {
          kind,
          jobs: o.jobs,
          chunkSize: o.chunk,
          coalesceGap: o["coalesce-gap"],
          limits: copyLimitsOf(o),
          signal: ctx.signal,
        }),
      ),
    );
  },
});
