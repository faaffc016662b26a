// `verify`: compare target and source (quick|full) or boot the migrated guest isolated (boot).
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { verifyDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { V2kError } from "../../shared/v2k-error";
import { parseSize } from "../../kit/sizes";
import { resolveDomainPolicy, savedDomainOptions } from "../cutover/domain-config";
import { withRun, withSourceSession } from "./run-context";
import { frozenSourceSpecs } from "../verify/source";
import { recordedCutoverVerify, verifyBoot, verifyData, type VerifyResult } from "../verify/verify";
import { requireSourceOff } from "../cutover/source-power";
import { withRecordedOptions } from "./recorded-options";

export const verifyCommand = defineCommand({
  path: ["verify"],
  summary: "check the target against the source (quick|full) or boot it isolated (boot)",
  options: optionSpecs(verifyDecls),
  schema: z.object({
    ...zodFields(verifyDecls),
    // its own check: the compare reads aligned blocks of at most 64M
    "block-size": z
      .string()
      .optional()
      .transform((v) => {
        const n = v === undefined ? verifyDecls["block-size"].default : parseSize(v);
        if (n === undefined || n < 4096 || n > 64 << 20 || n % 4096 !== 0)
          throw new V2kError("USAGE", `--block-size '${v}' must be a multiple of 4K up to 64M`, "e.g. --block-size 1M");
        return n;
      }),
    positionals: z.array(z.string()).max(0),
  }),
  render(data) {
    const r = data as VerifyResult;
    if (r.mode === "boot") return `boot check passed: ${r.boot?.via} after ${r.boot?.seconds.toFixed(1)} s`;
    const head =
      r.origin === "recorded"
        ? `${r.mode} verify passed at ${r.at} (recorded by cutover${r.seed ? `, seed ${r.seed}` : ""})`
        : `${r.mode} verify passed${r.seed ? ` (seed ${r.seed})` : ""}`;
    return [
      head,
      ...(r.compared ? [`compared: ${r.compared}`] : []),
      ...(r.disks ?? []).map((d) => `  ${d.label}: ${d.blocks} blocks, ${d.comparedBytes} bytes`),
      ...(r.notRerun ? [`not compared again now: ${r.notRerun}`] : []),
    ].join("\n");
  },
  async run(typed, ctx) {
    const { options: o, report } = withRecordedOptions("verify", typed, ctx);
    return withRun(ctx, `verify ${o.mode}`, o.connect, async ({ wd, virsh }) => {
      report(wd.emitter, `verify ${o.mode}`);
      if (o.mode === "boot") {
        // even isolated, a copy of the guest never runs beside the VMware VM
        await withSourceSession(ctx, wd, o, ({ bridge }) =>
          requireSourceOff(bridge, wd.manifest.vm.moref, "boot a copy of the migrated guest"),
        );
        const policy = await resolveDomainPolicy(wd.manifest, savedDomainOptions(wd.path), virsh);
        return verifyBoot(wd, policy, virsh, {
          marker: o["boot-marker"],
          timeoutSec: o["boot-timeout"],
          agent: !o["no-agent"],
          signal: ctx.signal,
        });
      }
      const c = wd.manifest.cutover;
      const name = c?.domainName;
      if (name && (await virsh.domState(name)) === "running") {
        // the running guest writes its disks: no fresh comparison, but the one cutover made before the start
        const recorded =
          o.mode === "quick"
            ? recordedCutoverVerify(
                wd.manifest,
                `the KVM domain '${name}' is running and writes its disks; shut it off for a fresh comparison`,
              )
            : null;
        if (!recorded) {
          throw new V2kError(
            "PHASE_ORDER",
            `the KVM domain '${name}' is running: its disks have changed since the final sync`,
            "Verify the data before starting the domain (cutover verifies by default before --start), or shut it down first.",
          );
        }
        wd.emitter.log(
          "info",
          "verify",
          `quick verify recorded at ${recorded.at} (${recorded.samples} blocks per disk, seed ${recorded.seed}); not compared again: ${recorded.notRerun}`,
        );
        return recorded;
      }
      const ran = c?.domainRanAt;
      const compared = ran
        ? `the powered-off VMware source against the target disks as the KVM guest left them (it ran from ${ran}; its own writes show as differences)`
        : "the powered-off VMware source against the target disks as synced (the KVM domain never ran)";
      return withSourceSession(ctx, wd, o, async (session) =>
        verifyData(
          wd,
          {
            mode: o.mode as "quick" | "full",
            samples: o.samples,
            blockSize: o["block-size"],
            ...(o.seed ? { seed: o.seed } : {}),
            signal: ctx.signal,
            compared,
          },
          await frozenSourceSpecs(wd, session),
        ),
      );
    });
  },
});
