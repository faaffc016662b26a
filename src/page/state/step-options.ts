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
import { recordedArgv, recordedDefaults, sourcesOf } from "../../shared/requests/recorded-steps";
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

/** The options an action's command carries; `command`: the action's own command line (its options win). */
export function optionsArgvFor(action: string, texts: StepOptionTexts, command: readonly string[] = []): string[] {
  if (action === "schedule-cutover") return scheduledRunArgv(texts, command);
  const step = optionStepOf(action);
  return step ? stepOptionsArgv(step, texts[step] ?? {}) : [];
}

/**
 * A scheduled cutover is the helper's pipeline: each step's record as `run` takes it (the rounds "Sync until
 * ready"'s and Sync's, then Cutover's and Verify's: its mode and samples, a boot check's marker and timeout).
 * The time, not the criterion or the round limit, ends the rounds.
 */
function scheduledRunArgv(texts: StepOptionTexts, command: readonly string[]): string[] {
  const own = command.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=")[0]!);
  const given = new Set([...own, "max-rounds", "cutover-when"]);
  return recordedArgv(recordedDefaults("run", sourcesOf("run", { until: "cutover" }), texts, given).defaults);
}

export type ScheduledCheck = "none" | "quick" | "full" | "boot";

/**
 * What a scheduled cutover checks between define and start, from the same record its command line carries;
 * null for a record the helper would refuse (scheduling then shows that error).
 */
export function scheduledCheck(texts: StepOptionTexts): ScheduledCheck | null {
  let defaults: Record<string, string | boolean>;
  try {
    ({ defaults } = recordedDefaults("run", sourcesOf("run", { until: "cutover" }), texts, new Set()));
  } catch {
    return null;
  }
  if (defaults["no-verify"] === true) return "none";
  const mode = defaults.verify;
  return mode === "none" || mode === "full" || mode === "boot" ? mode : "quick";
}

/** "sync: --jobs 16 --bwlimit 50" per step with options set (shown under the actions). */
export function stepOptionsSummary(texts: StepOptionTexts): string[] {
  return OPTION_STEPS.flatMap((step) => {
    const argv = stepOptionsArgv(step, texts[step] ?? {});
    return argv.length > 0 ? [`${step}: ${argv.join(" ")}`] : [];
  });
}
