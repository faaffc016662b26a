// The runbook's tuning and settings for the page's steps, taken from the helper's own option
// declarations (src/shared/requests): which options each step offers, how the admin's text becomes a
// value (the helper's zod field, so the page refuses what the helper would), and the argv they add.
// Defaults are never copied here: a field left empty is left to the helper.
import { REQUESTS, type RequestName } from "../../shared/requests/commands";
import { type OptionDecl, requestArgv, zodFields } from "../../shared/requests/option";
import { type CutoverCriterion } from "./derive";

export type OptionStep = "sync" | "auto-sync" | "verify" | "cutover";

/** Per step: the helper request it runs and the options the page offers for it (the rest are set by the page itself). */
export const STEP_OPTIONS: Record<OptionStep, { request: RequestName; names: readonly string[] }> = {
  sync: { request: "sync", names: ["jobs", "chunk", "coalesce-gap", "max-parallel-disks", "bwlimit"] },
  "auto-sync": {
    request: "run",
    names: ["interval", "max-rounds", "cutover-when", "jobs", "chunk", "coalesce-gap", "max-parallel-disks", "bwlimit"],
  },
  verify: { request: "verify", names: ["mode", "samples", "seed", "block-size", "boot-marker", "boot-timeout", "no-agent"] },
  cutover: {
    request: "cutover",
    names: [
      "shutdown-timeout",
      "convert",
      "no-verify",
      "verify-samples",
      "domain-name",
      "disk-bus",
      "nic-model",
      "uuid",
      "domain-type",
      "graphics",
      "vcpus",
      "memory",
      "network-map-default",
    ],
  },
};

/** The admin's entries: text as typed, booleans as ticked; "" or false = the helper's default. */
export type OptionTexts = Record<string, string | boolean>;

export function stepDecls(step: OptionStep): [string, OptionDecl][] {
  const { request, names } = STEP_OPTIONS[step];
  const decls: Record<string, OptionDecl> = REQUESTS[request].decls;
  return names.filter((n) => decls[n] !== undefined).map((n) => [n, decls[n]!]);
}

/** Every step's entries of one migration. */
export type StepOptionTexts = Partial<Record<OptionStep, OptionTexts>>;

/** The request the entries make, or the helper's own validation message per refused field. */
export function parseStepOptions(
  step: OptionStep,
  texts: OptionTexts,
): { request: Record<string, unknown>; errors: Record<string, string> } {
  const decls = Object.fromEntries(stepDecls(step));
  const fields = zodFields(decls) as Record<
    string,
    { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { message: string }[] } } }
  >;
  const request: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const name of Object.keys(decls)) {
    const text = texts[name]; // in the declarations' order: the same entries give the same command line
    if (text === undefined || text === "" || text === false) continue;
    const parsed = fields[name]!.safeParse(typeof text === "string" ? text.trim() : text);
    if (parsed.success) request[name] = parsed.data;
    else errors[name] = parsed.error?.issues.map((i) => i.message).join("; ") ?? "invalid";
  }
  return { request, errors };
}

/** The options' argv for the step's command line (valid entries only; defaults left out). */
export function stepOptionsArgv(step: OptionStep, texts: OptionTexts): string[] {
  const decls = Object.fromEntries(stepDecls(step));
  return requestArgv([], decls, parseStepOptions(step, texts).request);
}

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
  const step = optionStepOf(action);
  return step ? stepOptionsArgv(step, texts[step] ?? {}) : [];
}

/** "sync: --jobs 16 --bwlimit 50" per step with options set (shown under the actions). */
export function stepOptionsSummary(texts: StepOptionTexts): string[] {
  return (Object.keys(STEP_OPTIONS) as OptionStep[]).flatMap((step) => {
    const argv = stepOptionsArgv(step, texts[step] ?? {});
    return argv.length > 0 ? [`${step}: ${argv.join(" ")}`] : [];
  });
}
