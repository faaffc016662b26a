// Which recorded step options (manifest.stepOptions) a command takes as its defaults, and under which of its
// names: sync, cutover and verify their own step's; run auto-sync's, then sync's for its rounds, and when it
// cuts over cutover's and verify's (verify's mode is run's --verify, its samples run's --verify-samples). The
// first step naming an option wins. The helper applies them to what its command line left out; the page puts
// the same options on the command lines it starts, so both read one decision.
import { V2kError } from "../v2k-error";
import { REQUESTS } from "./commands";
import { zodFields, type OptionDecls } from "./option";
import { STEP_OPTIONS, parseStepOptions, stepDecls, type OptionStep, type StepOptionTexts } from "./step-options";

export type RecordingCommand = "sync" | "run" | "cutover" | "verify";

/** A step whose record a command consults; `rename`: the step's option name -> the command's. */
export interface RecordSource {
  step: OptionStep;
  rename?: Record<string, string>;
}

const TO_RUN_VERIFY: RecordSource = { step: "verify", rename: { mode: "verify", samples: "verify-samples" } };

/** The steps a command takes recorded options from, the first one's entry winning. */
export function sourcesOf(command: RecordingCommand, o: object): RecordSource[] {
  if (command !== "run") return [{ step: command }];
  const { until, split } = o as { until?: unknown; split?: unknown };
  const cutsOver = until === "cutover" || split === "phase2";
  return [{ step: "auto-sync" }, { step: "sync" }, ...(cutsOver ? [{ step: "cutover" as const }, TO_RUN_VERIFY] : [])];
}

export interface RecordedEntry {
  step: OptionStep;
  /** The command's option name. */
  name: string;
  value: string | boolean;
}

export interface RecordedDefaults {
  /** What the command takes as if typed. */
  defaults: Record<string, string | boolean>;
  applied: RecordedEntry[];
  /** Recorded, but the command line gave the option. */
  overridden: RecordedEntry[];
  /** Recorded for a step whose value the command's own option under that name cannot take. */
  unfit: RecordedEntry[];
}

export function invalidRecord(step: OptionStep, what: string): V2kError {
  return new V2kError(
    "STEP_OPTIONS_INVALID",
    `the options recorded for the ${step} step: ${what}`,
    `Record them again with 'ablestack_v2k --workdir W step-options ${step} --set NAME=VALUE', ` +
      `or forget them with 'ablestack_v2k --workdir W step-options ${step} --clear'.`,
  );
}

/** One step's record, checked as `step-options` checks what it records (a hand-edited manifest is refused). */
function checkedRecord(step: OptionStep, texts: Record<string, string | boolean>): [string, string | boolean][] {
  const offered = STEP_OPTIONS[step].names;
  const foreign = Object.keys(texts).filter((n) => !offered.includes(n));
  if (foreign.length > 0) throw invalidRecord(step, `${foreign.map((n) => `'${n}'`).join(", ")} is not one of its options`);
  const decls = Object.fromEntries(stepDecls(step));
  const mistyped = Object.keys(texts).filter((n) => (decls[n]?.kind === "boolean") !== (typeof texts[n] === "boolean"));
  if (mistyped.length > 0)
    throw invalidRecord(
      step,
      `${mistyped.map((n) => `--${n} '${String(texts[n])}'`).join(", ")}: a flag is true or false, a value is text`,
    );
  const { errors } = parseStepOptions(step, texts);
  const refused = Object.entries(errors).map(([name, message]) => `--${name} '${String(texts[name])}': ${message}`);
  if (refused.length > 0) throw invalidRecord(step, refused.join("; "));
  return Object.entries(texts).flatMap(([n, v]): [string, string | boolean][] =>
    v === true || (typeof v === "string" && v.trim() !== "") ? [[n, typeof v === "string" ? v.trim() : v]] : [],
  );
}

/** A recorded value under another name must suit the command's own declaration of that name. */
function fits(decls: OptionDecls, name: string, value: string | boolean): boolean {
  const field = zodFields({ [name]: decls[name]! })[name] as { safeParse(v: unknown): { success: boolean } };
  return field.safeParse(value).success;
}

/** The defaults a command takes from the recorded step options; `given`: the options on its command line. */
export function recordedDefaults(
  command: RecordingCommand,
  sources: readonly RecordSource[],
  recorded: StepOptionTexts,
  given: ReadonlySet<string>,
): RecordedDefaults {
  const decls: OptionDecls = REQUESTS[command].decls;
  const out: RecordedDefaults = { defaults: {}, applied: [], overridden: [], unfit: [] };
  const seen = new Set<string>();
  for (const { step, rename } of sources) {
    for (const [stepName, value] of checkedRecord(step, recorded[step] ?? {})) {
      const name = rename?.[stepName] ?? stepName;
      if (!decls[name] || seen.has(name)) continue;
      seen.add(name);
      const entry = { step, name, value };
      if (given.has(name)) out.overridden.push(entry);
      else if (rename?.[stepName] && !fits(decls, name, value)) out.unfit.push(entry);
      else {
        out.defaults[name] = value;
        out.applied.push(entry);
      }
    }
  }
  return out;
}

/**
 * The defaults as command line options, as the admin recorded them ("--name value", "--flag"); a value that
 * begins with "-" (a boot marker, say) is joined to its name, or the parser would take it for an option.
 */
export function recordedArgv(defaults: Record<string, string | boolean>): string[] {
  return Object.entries(defaults).flatMap(([name, v]) => {
    if (typeof v === "boolean") return v ? [`--${name}`] : [];
    return v.startsWith("-") ? [`--${name}=${v}`] : [`--${name}`, v];
  });
}
