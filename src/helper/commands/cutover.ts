// `cutover`: shut the source down, final sync, define (and optionally start) the KVM domain.
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { ConvertPolicy } from "../convert/plan";
import { DomainOptionsSchema, domainOptions } from "../cutover/domain-config";
import { runCutover, type CutoverResult } from "../cutover/cutover";
import { withRun, withSourceSession } from "../cutover/run-context";
import { runRound } from "../sync/round";
import { frozenSourceSpecs } from "../verify/source";
import { CUTOVER_VERIFY_COMPARED, verifyData } from "../verify/verify";

// Defaults used by both the schema and the help text, so the two cannot drift.
const SHUTDOWN_TIMEOUT_S = 300;
const VERIFY_SAMPLES = 64;

export const cutoverOptions = {
  shutdown: {
    type: "string" as const,
    valueName: "guest|poweroff|already-off",
    description:
      "how the VMware VM goes down: guest shutdown through VMware Tools (default), hard power-off, or already off (refused if it is not)",
  },
  "shutdown-timeout": {
    type: "string" as const,
    valueName: "S",
    description: `seconds to wait for the guest shutdown (default ${SHUTDOWN_TIMEOUT_S}; then SHUTDOWN_TIMEOUT)`,
  },
  "define-only": {
    type: "boolean" as const,
    description: "define the domain in libvirt only (no cloud registration); alone it does not start it (the default)",
  },
  start: { type: "boolean" as const, description: "start the domain after defining it (also with --define-only: define and start)" },
  "no-verify": {
    type: "boolean" as const,
    description: "skip the quick data verify between define and start (it runs by default and is recorded)",
  },
  "verify-samples": {
    type: "string" as const,
    valueName: "N",
    description: `blocks per disk of that quick verify (default ${VERIFY_SAMPLES})`,
  },
  convert: {
    type: "string" as const,
    valueName: "auto|virt-v2v|none",
    description: "guest conversion before define: auto (default: virt-v2v-in-place when installed), virt-v2v, or none (disks as copied)",
  },
  ...domainOptions,
};

export const CutoverFields = {
  shutdown: z.enum(["guest", "poweroff", "already-off"]).default("guest"),
  "shutdown-timeout": z.coerce.number().positive().default(SHUTDOWN_TIMEOUT_S),
  "define-only": z.boolean().default(false),
  start: z.boolean().default(false),
  "no-verify": z.boolean().default(false),
  "verify-samples": z.coerce.number().int().positive().max(1_000_000).default(VERIFY_SAMPLES),
  convert: ConvertPolicy.default("auto"),
  ...DomainOptionsSchema.shape,
};

export const cutoverCommand = defineCommand({
  path: ["cutover"],
  summary:
    "shut the source down, final sync, define, quick verify and with --start start the KVM domain (runbook: cutover --define-only --start)",
  options: { ...cutoverOptions, ...vcenterOptions },
  schema: z.object({ ...CutoverFields, ...vcenterSchemaFields, positionals: z.array(z.string()).max(0) }),
  render(data) {
    const r = data as CutoverResult;
    return `domain ${r.domainName} (${r.domainUuid}) ${r.started ? "started" : "defined"}; downtime ${(r.downtimeMs / 1000).toFixed(1)} s\nXML: ${r.xmlPath}\nconsole log: ${r.consoleLog}`;
  },
  async run(o, ctx) {
    return withRun(ctx, "cutover", o.connect, ({ wd, virsh }) =>
      withSourceSession(ctx, wd, o, (session) =>
        runCutover(
          wd,
          {
            shutdown: o.shutdown,
            shutdownTimeoutSec: o["shutdown-timeout"],
            start: o.start,
            domain: o,
            convert: o.convert,
          },
          {
            bridge: session.bridge,
            virsh,
            finalRound: (w) => runRound(w, session, { kind: "final", signal: ctx.signal }),
            ...(o["no-verify"]
              ? {}
              : {
                  dataVerify: async (w) =>
                    verifyData(
                      w,
                      {
                        mode: "quick",
                        samples: o["verify-samples"],
                        blockSize: 1 << 20,
                        compared: CUTOVER_VERIFY_COMPARED,
                        signal: ctx.signal,
                      },
                      await frozenSourceSpecs(w, session),
                    ),
                }),
            signal: ctx.signal,
          },
        ),
      ),
    );
  },
});
