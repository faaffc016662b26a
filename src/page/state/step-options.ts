// The runbook's tuning and settings for the page's steps: which options each step offers and how the
// admin's text becomes a value are the helper's (src/shared/requests/step-options, recorded in the
// manifest); here, what the page makes of them: the argv an action adds, the summary, the criterion.
import {
  STEP_OPTIONS,
  OPTION_STEPS,
  normalizeStepTexts,
  parseStepOptions,
  stepDecls,
  stepOptionsArgv,
  type OptionStep,
  type OptionTexts,
  type StepOptionTexts,
} from "../../shared/requests/step-options";
import { type CutoverCriterion } from "./derive";

export { STEP_OPTIONS, OPTION_STEPS, normalizeStepTexts, parseStepOptions, stepDecls, stepOptionsArgv };
export type { OptionStep, OptionTexts, StepOptionTexts };

/** The cutover criterion an admin set for "Sync until ready", if any (the page's readiness follows it). */
export function criterionOf(texts: OptionTexts | undefined): CutoverCriterion | undefined {
  if (!texts) return undefined;
  const c = parseStepOptions("auto-sync", texts).request["cutover-when"] as { maxBytes: number; maxSeconds: number } | undefined;
  return c ? { maxChangedBytes: c.maxBytes, maxSeconds: c.maxSeconds } : undefined;
}

/** Which step's options an action's command carries. */
export function optionStepOf(action: string): OptionStep | null {
  if (action === "sync-base" || action === "sync-incr" || action === "retry") return "sync"; // a retry is an incremental round
  if (action === "auto-sync" || action === "verify" || action === "cutover") return action;
  return null;
}

export function optionsArgvFor(action: string, texts: StepOptionTexts): string[] {
  // a scheduled cutover is the pipeline: the rounds take "Sync until ready"'s options, the cutover its own
  if (action === "schedule-cutover")
    return [...scheduledRoundsArgv(texts["auto-sync"] ?? {}), ...stepOptionsArgv("cutover", texts.cutover ?? {})];
  const step = optionStepOf(action);
  return step ? stepOptionsArgv(step, texts[step] ?? {}) : [];
}

/** "Sync until ready"'s options for the rounds before a scheduled cutover: the time, not the criterion, ends them. */
function scheduledRoundsArgv(texts: OptionTexts): string[] {
  const { "max-rounds": _rounds, "cutover-when": _criterion, ...rest } = texts;
  return stepOptionsArgv("auto-sync", rest);
}

/** "sync: --jobs 16 --bwlimit 50" per step with options set (shown under the actions). */
export function stepOptionsSummary(texts: StepOptionTexts): string[] {
  return OPTION_STEPS.flatMap((step) => {
    const argv = stepOptionsArgv(step, texts[step] ?? {});
    return argv.length > 0 ? [`${step}: ${argv.join(" ")}`] : [];
  });
}
