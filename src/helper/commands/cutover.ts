// `cutover`: shut the source down, final sync, define (and optionally start) the KVM domain.
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { cutoverDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { runCutover, type CutoverResult } from "../cutover/cutover";
import { withRun, withSourceSession } from "./run-context";
import { runRound } from "../sync/round";
import { frozenSourceSpecs } from "../verify/source";
import { CUTOVER_VERIFY_COMPARED, verifyData } from "../verify/verify";
import { withRecordedOptions } from "./recorded-options";

export const cutoverCommand = defineCommand({
  path: ["cutover"],
  summary:
    "shut the source down, final sync, define, quick verify and with --start start the KVM domain (runbook: cutover --define-only --start)",
  options: optionSpecs(cutoverDecls),
  schema: z.object({ ...zodFields(cutoverDecls), positionals: z.array(z.string()).max(0) }),
  render(data) {
    const r = data as CutoverResult;
    return `domain ${r.domainName} (${r.domainUuid}) ${r.started ? "started" : "defined"}; downtime ${(r.downtimeMs / 1000).toFixed(1)} s\nXML: ${r.xmlPath}\nconsole log: ${r.consoleLog}`;
  },
  async run(typed, ctx) {
    const { options: o, report } = withRecordedOptions("cutover", typed, ctx);
    return withRun(ctx, "cutover", o.connect, ({ wd, virsh }) => {
      report(wd.emitter, "cutover");
      return withSourceSession(ctx, wd, o, (session) =>
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
      );
    });
  },
});
