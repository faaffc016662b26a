// `cutover`: shut the source down, final sync, define (and optionally start) the KVM domain.
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { ConvertPolicy } from "../convert/plan";
import { DomainOptionsSchema, domainOptions } from "../cutover/domain-config";
import { runCutover, type CutoverResult } from "../cutover/cutover";
import { withRun, withSourceSession } from "../cutover/run-context";
import { runRound } from "../sync/round";

export const cutoverOptions = {
  shutdown: { type: "string" as const, valueName: "guest|poweroff|already-off",
    description: "how the VMware VM goes down: guest shutdown through VMware Tools (default), hard power-off, or already off (refused if it is not)" },
  "shutdown-timeout": { type: "string" as const, valueName: "S", description: "seconds to wait for the guest shutdown (default 300; then SHUTDOWN_TIMEOUT)" },
  "define-only": { type: "boolean" as const, description: "define the domain but do not start it (default)" },
  start: { type: "boolean" as const, description: "start the domain after defining it" },
  convert: { type: "string" as const, valueName: "auto|virt-v2v|none",
    description: "guest conversion before define: auto (default: virt-v2v-in-place when installed), virt-v2v, or none (disks as copied)" },
  ...domainOptions,
};

export const CutoverFields = {
  shutdown: z.enum(["guest", "poweroff", "already-off"]).default("guest"),
  "shutdown-timeout": z.coerce.number().positive().default(300),
  "define-only": z.boolean().default(false),
  start: z.boolean().default(false),
  convert: ConvertPolicy.default("auto"),
  ...DomainOptionsSchema.shape,
};

export const cutoverCommand = defineCommand({
  path: ["cutover"],
  summary: "shut the source down, final sync, define (and with --start start) the KVM domain",
  options: { ...cutoverOptions, ...vcenterOptions },
  schema: z.object({ ...CutoverFields, ...vcenterSchemaFields, positionals: z.array(z.string()).max(0) })
    .refine((o) => !(o.start && o["define-only"]), "--start and --define-only exclude each other"),
  render(data) {
    const r = data as CutoverResult;
    return `domain ${r.domainName} (${r.domainUuid}) ${r.started ? "started" : "defined"}; downtime ${(r.downtimeMs / 1000).toFixed(1)} s\nXML: ${r.xmlPath}\nconsole log: ${r.consoleLog}`;
  },
  async run(o, ctx) {
    return withRun(ctx, "cutover", o.connect, ({ wd, virsh }) =>
      withSourceSession(ctx, wd, o, (session) =>
        runCutover(wd, {
          shutdown: o.shutdown,
          shutdownTimeoutSec: o["shutdown-timeout"],
          start: o.start,
          domain: o,
          convert: o.convert,
        }, {
          bridge: session.bridge,
          virsh,
          finalRound: (w) => runRound(w, session, { kind: "final", signal: ctx.signal }),
          signal: ctx.signal,
        })));
  },
});
