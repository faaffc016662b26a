// `cleanup`: migration snapshots (ours only), leftover nbdkit/qemu-nbd, optionally target and workdir.
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { runCleanup } from "../cleanup/cleanup";
import { withRun, withSourceSession } from "../cutover/run-context";

export const cleanupCommand = defineCommand({
  path: ["cleanup"],
  summary: "remove this migration's snapshots and leftover processes; optionally its target disks and workdir",
  options: {
    ...vcenterOptions,
    "delete-snapshots": { type: "boolean", description: "remove the migration snapshots this tool created (default)" },
    "keep-snapshots": { type: "boolean", description: "leave the migration snapshots in place" },
    "delete-target": { type: "boolean", description: "delete the target disk files (refused while the KVM domain exists)" },
    "keep-workdir": { type: "boolean", description: "keep the workdir (default)" },
    "remove-workdir": { type: "boolean", description: "delete the workdir (manifest and events.log) at the end" },
    connect: { type: "string", valueName: "URI", description: "libvirt URI (default qemu:///system or $ABLESTACK_V2K_LIBVIRT_URI)" },
  },
  schema: z
    .object({
      ...vcenterSchemaFields,
      "delete-snapshots": z.boolean().optional(),
      "keep-snapshots": z.boolean().default(false),
      "delete-target": z.boolean().default(false),
      "keep-workdir": z.boolean().optional(),
      "remove-workdir": z.boolean().default(false),
      connect: z.string().optional(),
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
