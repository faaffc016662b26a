import { z } from "zod";
import { defineCommand } from "../cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { readManifest, requireWorkdirPath, withWorkdir } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { cbtEnable, cbtStatus } from "../sync/cbt";

export const cbtEnableCommand = defineCommand({
  path: ["cbt", "enable"],
  summary: "enable changed block tracking and activate it on every disk (snapshot stun)",
  options: { ...vcenterOptions },
  schema: z.object({ positionals: z.array(z.string()).max(0), ...vcenterSchemaFields }),
  async run(o, ctx) {
    return withWorkdir(requireWorkdirPath(ctx.global.workdir), ctx.emitter, "cbt enable", (wd) =>
      withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, wd.manifest.vcenter, ({ bridge }) => cbtEnable(wd, bridge)));
  },
});

export const cbtStatusCommand = defineCommand({
  path: ["cbt", "status"],
  summary: "show whether CBT is enabled and active per disk",
  options: { ...vcenterOptions },
  schema: z.object({ positionals: z.array(z.string()).max(0), ...vcenterSchemaFields }),
  async run(o, ctx) {
    // read-only, like `status`: no lock, so it answers while a sync runs
    const { manifest } = readManifest(requireWorkdirPath(ctx.global.workdir));
    return withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, manifest.vcenter, ({ bridge }) => cbtStatus({ manifest }, bridge));
  },
});
