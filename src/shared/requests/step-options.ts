// The options the page offers for its steps, and how they are recorded in the manifest (so every browser
// and the CLI see the same choice). Which options each step offers is taken from the helper's own option
// declarations (./commands); entries are kept as the admin typed them and checked with the helper's zod
// fields, so the page refuses what the command would. Defaults are never copied: an empty entry is left
// to the helper. None of these options is a secret (the vCenter options are not offered).
import { z } from "zod";
import { REQUESTS, type RequestName } from "./commands";
import { type OptionDecl, requestArgv, zodFields } from "./option";

export const OPTION_STEPS = ["sync", "auto-sync", "verify", "cutover"] as const;
export type OptionStep = (typeof OPTION_STEPS)[number];

/** Per step: the helper request it runs and the options offered for it (the rest are set by the page itself). */
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
      "firmware",
      "network-map-default",
    ],
  },
};

/** One step's entries: text as typed, true for a ticked flag ("" or false = the helper's default). */
export const OptionTexts = z.record(z.string(), z.union([z.string(), z.boolean()]));
export type OptionTexts = z.infer<typeof OptionTexts>;

/** Every step's entries of one migration: manifest.stepOptions. */
export const StepOptionTexts = z.object({
  sync: OptionTexts.optional(),
  "auto-sync": OptionTexts.optional(),
  verify: OptionTexts.optional(),
  cutover: OptionTexts.optional(),
});
export type StepOptionTexts = z.infer<typeof StepOptionTexts>;

export function stepDecls(step: OptionStep): [string, OptionDecl][] {
  const { request, names } = STEP_OPTIONS[step];
  const decls: Record<string, OptionDecl> = REQUESTS[request].decls;
  return names.filter((n) => decls[n] !== undefined).map((n) => [n, decls[n]!]);
}

type Field = { safeParse(v: unknown): { success: boolean; data?: unknown; error?: { issues: { message: string }[] } } };

/** The request the entries make, or the helper's own validation message per refused field. */
export function parseStepOptions(
  step: OptionStep,
  texts: OptionTexts,
): { request: Record<string, unknown>; errors: Record<string, string> } {
  const decls = Object.fromEntries(stepDecls(step));
  const fields = zodFields(decls) as Record<string, Field>;
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

/** The entries as recorded: the step's own options only, trimmed, unset ones left out, in declaration order. */
export function normalizeStepTexts(step: OptionStep, texts: OptionTexts): OptionTexts {
  const out: OptionTexts = {};
  for (const [name] of stepDecls(step)) {
    const v = texts[name];
    if (v === true || (typeof v === "string" && v.trim() !== "")) out[name] = typeof v === "string" ? v.trim() : v;
  }
  return out;
}

/** The options' argv for the step's command line (valid entries only; defaults left out). */
export function stepOptionsArgv(step: OptionStep, texts: OptionTexts): string[] {
  const decls = Object.fromEntries(stepDecls(step));
  return requestArgv([], decls, parseStepOptions(step, texts).request);
}
