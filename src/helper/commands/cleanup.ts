// `cleanup`: migration snapshots (ours only), leftover nbdkit/qemu-nbd, optionally target and workdir.
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { cleanupDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { runCleanup } from "../cleanup/cleanup";
import { withRun, withSourceSession } from "./run-context";

export const cleanupCommand = defineCommand({
  path: ["cleanup"],
  summary: "remove this migration's snapshots and leftover processes; optionally its target disks and workdir",
  options: optionSpecs(cleanupDecls),
  schema: z
    .object({
      ...zodFields(cleanupDecls),
      positionals: z.array(z.string()).max(0),
    })
    .refine((o) => !(o["keep-workdir"] && o["remove-workdir"]), "--keep-workdir and --remove-workdir exclude each other")
    .refine((o) => !(o["delete-snapshots"] && o["keep-snapshots"]), "--delete-snapshots and --keep-snapshots exclude each other"),
  render(data) {
    const r = data as { snapshotsRemoved: string[]; processesStopped: unknown[]; targetsRemoved: string[]; workdirKept: boolean };
    return [
      `snapshots removed: ${r.snapshotsRemoved.length ? r.snapshotsRemoved.join(", ") : "none"}`,
      `leftover processes stopped: ${r.processesStopped.length}`,
      `target disks removed: ${r.targetsRemoved.length ? r.targetsRemoved.join(", ") : "none"}`,
      `workdir ${r.workdirKept ? "kept" : "removed"}`,
    ].join("\n");
  },
  async run(o, ctx) {
    const deleteSnapshots = !o["keep-snapshots"];
    return withRun(ctx, "cleanup", o.connect, ({ wd, virsh }) => {
      const opts = { deleteSnapshots, deleteTarget: o["delete-target"], removeWorkdir: o["remove-workdir"] };
      return deleteSnapshots
        ? withSourceSession(ctx, wd, o, ({ bridge }) => runCleanup(wd, opts, { bridge, virsh }))
        : runCleanup(wd, opts, { bridge: null, virsh });
    });
  },
});
