// The options recorded with `step-options` (manifest.stepOptions) are the defaults of the terminal's
// commands too, not only of the page's: what the command line gives wins, the rest is taken as if typed
// (validated by the command's own schema) and events.log names what was applied. `run` takes each step's
// own: auto-sync's, then sync's for its rounds, and when it cuts over cutover's and verify's.
import { type CommandContext } from "../../kit/cli/command";
import { type Emitter } from "../../kit/emitter";
import { V2kError } from "../../shared/v2k-error";
import { REQUESTS } from "../../shared/requests/commands";
import { zodFields, type OptionDecls } from "../../shared/requests/option";
import { STEP_OPTIONS, parseStepOptions, stepDecls, type OptionStep, type StepOptionTexts } from "../../shared/requests/step-options";
import { hasManifest, readManifest, requireWorkdirPath } from "../state/index";

export type RecordingCommand = "sync" | "run" | "cutover" | "verify";

/** A step whose record a command consults; `rename`: the step's option name -> the command's. */
interface Source {
  step: OptionStep;
  rename?: Record<string, string>;
}

const TO_RUN_VERIFY: Source = { step: "verify", rename: { mode: "verify", samples: "verify-samples" } };

/** The steps a command takes recorded options from, the first one's entry winning. */
export function sourcesOf(command: RecordingCommand, o: object): Source[] {
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
  /** Recorded for a step whose value the command cannot take (verify's mode boot for run's data check). */
  unfit: RecordedEntry[];
}

function invalid(step: OptionStep, what: string): V2kError {
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
  if (foreign.length > 0) throw invalid(step, `${foreign.map((n) => `'${n}'`).join(", ")} is not one of its options`);
  const decls = Object.fromEntries(stepDecls(step));
  const mistyped = Object.keys(texts).filter((n) => (decls[n]?.kind === "boolean") !== (typeof texts[n] === "boolean"));
  if (mistyped.length > 0)
    throw invalid(step, `${mistyped.map((n) => `--${n} '${String(texts[n])}'`).join(", ")}: a flag is true or false, a value is text`);
  const { errors } = parseStepOptions(step, texts);
  const refused = Object.entries(errors).map(([name, message]) => `--${name} '${String(texts[name])}': ${message}`);
  if (refused.length > 0) throw invalid(step, refused.join("; "));
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
  sources: readonly Source[],
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

const optionText = (e: RecordedEntry) => (e.value === true ? `--${e.name}` : `--${e.name} ${e.value}`);

/** The events.log line: what was applied from which step, and what the command line or the command kept. */
export function recordedSummary(r: RecordedDefaults): string | null {
  if (r.applied.length + r.overridden.length + r.unfit.length === 0) return null;
  const steps = [...new Set(r.applied.map((e) => e.step))];
  const parts = steps.map(
    (s) =>
      `${s}: ${r.applied
        .filter((e) => e.step === s)
        .map(optionText)
        .join(" ")}`,
  );
  const head = parts.length > 0 ? `recorded step options applied (${parts.join("; ")})` : "no recorded step options applied";
  const kept = r.overridden.map((e) => `--${e.name} (${e.step} recorded ${e.value === true ? "on" : e.value})`);
  const unfit = r.unfit.map((e) => `${e.step}'s ${e.value} for --${e.name}`);
  return [
    head,
    ...(kept.length > 0 ? [`the command line's ${kept.join(", ")}`] : []),
    ...(unfit.length > 0 ? [`not taken: ${unfit.join(", ")}`] : []),
  ].join("; ");
}

export interface WithRecorded<T> {
  options: T;
  /** Logs what was applied (call once the workdir is open: the line goes to its events.log). */
  report(emitter: Emitter, step: string): void;
}

/**
 * The command's options with the workdir's recorded step options as defaults. Read before the workdir is
 * locked (run needs them to start); a workdir the helper cannot read is left to the lock's own errors.
 */
export function withRecordedOptions<T extends object>(command: RecordingCommand, o: T, ctx: CommandContext): WithRecorded<T> {
  const none: WithRecorded<T> = { options: o, report: () => undefined };
  if (!ctx.global.workdir) return none;
  const dir = requireWorkdirPath(ctx.global.workdir);
  let recorded: StepOptionTexts | undefined;
  try {
    recorded = hasManifest(dir) ? readManifest(dir).manifest.stepOptions : undefined;
  } catch {
    return none;
  }
  if (!recorded) return none;
  const r = recordedDefaults(command, sourcesOf(command, o), recorded, ctx.given);
  let options = o;
  if (r.applied.length > 0) {
    try {
      options = ctx.withDefaults(r.defaults) as T;
    } catch (e) {
      const steps = [...new Set(r.applied.map((a) => a.step))].join(", ");
      throw invalid(r.applied[0]!.step, `${(e as Error).message} (applied from ${steps})`);
    }
  }
  const summary = recordedSummary(r);
  return {
    options,
    report: (emitter, step) => {
      if (summary) emitter.log("info", step, summary);
    },
  };
}
