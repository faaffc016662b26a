// manifest.stepOptions: the options the page's steps use, recorded for every browser and the CLI to see.
// Entries are checked with the step's own option declarations before the workdir is touched, so a
// refused entry changes nothing; the record is written atomically under the workdir's lock.
import { type Emitter } from "../../kit/emitter";
import { V2kError } from "../../shared/v2k-error";
import {
  STEP_OPTIONS,
  normalizeStepTexts,
  parseStepOptions,
  stepDecls,
  stepOptionsArgv,
  type OptionStep,
  type OptionTexts,
} from "../../shared/requests/step-options";
import { REQUESTS } from "../../shared/requests/commands";
import { Workdir } from "./workdir";

/** `--set NAME=VALUE` entries (NAME alone for a flag) as the step's option texts; unknown names are refused. */
export function stepTextsFromEntries(step: OptionStep, entries: readonly string[]): OptionTexts {
  const decls = Object.fromEntries(stepDecls(step));
  const words = REQUESTS[STEP_OPTIONS[step].request].words.join(" ");
  const texts: OptionTexts = {};
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    const name = (eq < 0 ? entry : entry.slice(0, eq)).replace(/^--/, "").trim();
    const decl = decls[name];
    if (!decl) {
      throw new V2kError(
        "USAGE",
        `step-options ${step}: '${name}' is not one of its options`,
        `The ${step} step takes options of '${words}': ${Object.keys(decls).join(", ")}.`,
      );
    }
    const value = eq < 0 ? "" : entry.slice(eq + 1);
    if (decl.kind === "boolean") {
      if (!["", "true", "false"].includes(value)) {
        throw new V2kError("USAGE", `step-options ${step}: --${name} is a flag, not '${value}'`, `Write --set ${name} to turn it on.`);
      }
      texts[name] = value !== "false";
    } else texts[name] = value;
  }
  const { errors } = parseStepOptions(step, texts);
  const refused = Object.entries(errors).map(([name, message]) => `--${name}: ${message}`);
  if (refused.length > 0) {
    throw new V2kError("USAGE", `step-options ${step}: ${refused.join("; ")}`, `Correct the value as '${words} --help' describes it.`);
  }
  return normalizeStepTexts(step, texts);
}

/** Records (or, with no entries, forgets) one step's options; returns what the step's commands now add. */
export async function recordStepOptions(
  dir: string,
  emitter: Emitter,
  step: OptionStep,
  texts: OptionTexts,
): Promise<{ step: OptionStep; options: OptionTexts; argv: string[] }> {
  const wd = Workdir.open(dir, emitter, `step-options ${step}`);
  try {
    await wd.update((m) => {
      const all = { ...m.stepOptions };
      if (Object.keys(texts).length > 0) all[step] = texts;
      else delete all[step];
      if (Object.keys(all).length > 0) m.stepOptions = all;
      else delete m.stepOptions;
    });
    const argv = stepOptionsArgv(step, texts);
    emitter.log("info", "step-options", `${step}: ${argv.length > 0 ? argv.join(" ") : "the helper's defaults"}`);
    return { step, options: texts, argv };
  } finally {
    wd.release();
  }
}
