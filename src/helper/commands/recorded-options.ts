// The options recorded with `step-options` (manifest.stepOptions) are the defaults of the terminal's
// commands too, not only of the page's: what the command line gives wins, the rest is taken as if typed
// (validated by the command's own schema) and events.log names what was applied. `run` takes each step's
// own: auto-sync's, then sync's for its rounds, and when it cuts over cutover's and verify's.
import { type CommandContext } from "../../kit/cli/command";
import { type Emitter } from "../../kit/emitter";
import { type StepOptionTexts } from "../../shared/requests/step-options";
import {
  invalidRecord,
  recordedDefaults,
  sourcesOf,
  type RecordedDefaults,
  type RecordedEntry,
  type RecordingCommand,
} from "../../shared/requests/recorded-steps";
import { hasManifest, readManifest, requireWorkdirPath } from "../state/index";

export { recordedDefaults, sourcesOf, type RecordedDefaults, type RecordedEntry, type RecordingCommand };

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
      throw invalidRecord(r.applied[0]!.step, `${(e as Error).message} (applied from ${steps})`);
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
