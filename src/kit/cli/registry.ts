// A program's commands, checked once when the program assembles them: no two commands on one path,
// and no command option that a global option would take silently.
import { type Command } from "./command";
import { globalClashes } from "./argv";

export interface Program {
  /** The program's name in usage lines, e.g. "ablestack_v2k". */
  name: string;
  /** One line under the usage in the top help. */
  description: string;
  version: string;
  commands: Command[];
}

export function defineProgram(program: Program): Program {
  const seen = new Set<string>();
  for (const c of program.commands) {
    const path = c.path.join(" ");
    if (seen.has(path)) throw new Error(`two commands on the path '${path}'`);
    seen.add(path);
    const clashes = globalClashes(c.options);
    if (clashes.length > 0) throw new Error(`command '${path}' defines ${clashes.join(", ")}, which the global options already take`);
  }
  return program;
}

/** The command with the longest path that prefixes the words, and the words after that path. */
export function findCommand(commands: Command[], words: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.length <= words.length && c.path.every((p, i) => p === words[i])) {
      if (!best || c.path.length > best.path.length) best = c;
    }
  }
  return best ? { command: best, rest: words.slice(best.path.length) } : undefined;
}
