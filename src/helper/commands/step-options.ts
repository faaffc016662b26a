import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { V2kError } from "../../shared/v2k-error";
import { stepOptionsDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { OPTION_STEPS, stepOptionsArgv, type OptionStep } from "../../shared/requests/step-options";
import { readManifest, requireWorkdirPath } from "../state/index";
import { recordStepOptions, stepTextsFromEntries } from "../state/step-options";

type Shown = { step: OptionStep; options: Record<string, string | boolean>; argv: string[] };

export const stepOptionsCommand = defineCommand({
  path: ["step-options"],
  summary:
    "show or record in the manifest the default options of STEP (sync, auto-sync, verify or cutover) for the page and the " +
    "terminal's commands (the command line wins)",
  options: optionSpecs(stepOptionsDecls),
  schema: z.object({ positionals: z.union([z.tuple([]), z.tuple([z.enum(OPTION_STEPS)])]), ...zodFields(stepOptionsDecls) }),
  render: (data) => {
    const steps = "steps" in (data as object) ? (data as { steps: Shown[] }).steps : [data as Shown];
    return steps.map((s) => `${s.step}: ${s.argv.length > 0 ? s.argv.join(" ") : "(the helper's defaults)"}`).join("\n");
  },
  async run(o, ctx) {
    const dir = requireWorkdirPath(ctx.global.workdir);
    const step = o.positionals[0];
    const writes = o.set !== undefined || o.clear;
    if (writes && !step) throw new V2kError("USAGE", "--set and --clear need a step", `Name one: ${OPTION_STEPS.join(", ")}.`);
    if (o.set !== undefined && o.clear) throw new V2kError("USAGE", "--set and --clear together", "Give one of them.");
    if (step && writes) return recordStepOptions(dir, ctx.emitter, step, o.clear ? {} : stepTextsFromEntries(step, o.set ?? []));
    // read-only, like `status`: no lock
    const recorded = readManifest(dir).manifest.stepOptions ?? {};
    const shown = (s: OptionStep): Shown => ({ step: s, options: recorded[s] ?? {}, argv: stepOptionsArgv(s, recorded[s] ?? {}) });
    return step ? shown(step) : { steps: OPTION_STEPS.map(shown) };
  },
});
