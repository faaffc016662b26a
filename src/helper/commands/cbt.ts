import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { cbtDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { readManifest, requireWorkdirPath, withWorkdir } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { cbtEnable, cbtStatus } from "../sync/cbt";

function renderCbt(data: unknown): string {
  const r = data as { enabled: boolean; active: boolean; disks: { key: number; label: string; changeId: string | null }[] };
  return [
    `CBT ${r.enabled ? "enabled" : "disabled"}, ${r.active ? "active on every disk" : "not active on every disk"}`,
    ...r.disks.map((d) => `  ${d.label} (${d.key}): ${d.changeId ?? "no changeId (not active)"}`),
  ].join("\n");
}

export const cbtEnableCommand = defineCommand({
  path: ["cbt", "enable"],
  summary: "enable changed block tracking and activate it on every disk (snapshot stun)",
  options: optionSpecs(cbtDecls),
  schema: z.object({ positionals: z.array(z.string()).max(0), ...zodFields(cbtDecls) }),
  render: renderCbt,
  async run(o, ctx) {
    return withWorkdir(requireWorkdirPath(ctx.global.workdir), ctx.emitter, "cbt enable", (wd) =>
      withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, wd.manifest.vcenter, ({ bridge }) => cbtEnable(wd, bridge)),
    );
  },
});

export const cbtStatusCommand = defineCommand({
  path: ["cbt", "status"],
  summary: "show whether CBT is enabled and active per disk",
  options: optionSpecs(cbtDecls),
  schema: z.object({ positionals: z.array(z.string()).max(0), ...zodFields(cbtDecls) }),
  render: renderCbt,
  async run(o, ctx) {
    // read-only, like `status`: no lock, so it answers while a sync runs
    const { manifest } = readManifest(requireWorkdirPath(ctx.global.workdir));
    return withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, manifest.vcenter, ({ bridge }) =>
      cbtStatus({ manifest }, bridge),
    );
  },
});
