// The program one command line needs. Evaluating every command's modules (the engine, vSphere, the lab,
// their built-in modules) was most of each start's ~85 ms of top-level evaluation; a command line whose first
// word a loader knows gets a program of that word's commands only. Anything else gets the whole program: no command or an unknown one
// and `help` or `completion` list every command, and a bad global option is answered with the full help.
import { parseGlobals, splitArgv } from "../kit/cli/argv";
import { defineProgram, findCommand, type Program } from "../kit/cli/registry";
import { helperCommandLoaders, type CommandLoader } from "../helper/commands/loaders";
import { programAbout } from "./program-about";

/** Every word a loader knows: the helper's commands, and the lab's (one module for all of them). */
export const commandLoaders: ReadonlyMap<string, CommandLoader> = new Map<string, CommandLoader>([
  ...helperCommandLoaders,
  ["lab", async () => (await import("../lab/cli/index")).labCommands],
]);

function globalsValid(globals: string[]): boolean {
  try {
    parseGlobals(globals);
    return true;
  } catch {
    return false;
  }
}

export async function programFor(argv: string[]): Promise<Program> {
  const { globals, words } = splitArgv(argv);
  const load = words[0] === undefined ? undefined : commandLoaders.get(words[0]);
  if (load && globalsValid(globals)) {
    const commands = await load();
    if (findCommand(commands, words)) return defineProgram({ ...programAbout, commands });
  }
  return (await import("./program")).program;
}
