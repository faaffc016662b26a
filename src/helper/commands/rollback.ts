// `rollback`: back to VMware at any phase (see cutover/rollback.ts).
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { rollbackDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { runRollback } from "../rollback/rollback";
import { withRun, withSourceSession } from "./run-context";

export const rollbackCommand = defineCommand({
  path: ["rollback"],
  summary: "stop and undefine the KVM domain, power the VMware VM back on (safe at any phase)",
  options: optionSpecs(rollbackDecls),
  schema: z.object({
    ...zodFields(rollbackDecls),
    positionals: z.array(z.string()).max(0),
  }),
  render(data) {
    const r = data as Awaited<ReturnType<typeof runRollback>>;
    return [
      r.domainUndefined ? `domain ${r.domainName} undefined` : "no KVM domain of this migration was defined",
      `VMware VM: ${r.sourcePowerState}${r.sourcePoweredOn ? " (powered on by rollback)" : ""}`,
      `snapshots removed: ${r.snapshotsRemoved.length}`,
      r.disksRemoved.length ? `disks removed: ${r.disksRemoved.join(", ")}` : "target disks kept",
    ].join("\n");
  },
  async run(o, ctx) {
    return withRun(ctx, "rollback", o.connect, ({ wd, virsh }) =>
      withSourceSession(ctx, wd, o, ({ bridge }) =>
        runRollback(wd, { removeDisks: o["remove-disks"], keepSourceOff: o["keep-source-off"] }, { bridge, virsh }),
      ),
    );
  },
});
