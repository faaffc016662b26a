// Help text rendered from the command definitions and the global options (the same specs the parser
// uses), for `--help`, `help COMMAND`, the reference and the completion, so none of them can drift.
import { type Command, type OptionSpec } from "./command";
import { globalOptions } from "./argv";
import { EXIT_CODES } from "./exit-codes";
import { type Program } from "./registry";

const usageGlobals = "[--workdir DIR] [--json] [--resume]";

/** "--name VALUE, -s" as the option is typed on a command line. */
export function optionSynopsis(name: string, o: OptionSpec): string {
  const value = o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : "";
  return `--${name}${value}${o.short ? `, -${o.short}` : ""}${o.multiple ? " (repeatable)" : ""}`;
}

export function commandName(c: Command): string {
  return c.path.join(" ");
}

export function commandUsage(program: Program, c: Command): string {
  return `usage: ${program.name} ${usageGlobals} ${commandName(c)} [options]`;
}

const optionLines = (options: Record<string, OptionSpec>) =>
  Object.entries(options).map(([n, o]) => `  ${optionSynopsis(n, o)}\n      ${o.description}`);

export function commandHelp(program: Program, command: Command): string {
  const own = optionLines(command.options);
  return [
    commandUsage(program, command),
    "",
    command.summary,
    "",
    ...(own.length ? own : ["  (no options)"]),
    "",
    "global options (before or after the command):",
    ...optionLines(globalOptions),
  ].join("\n");
}

export function programHelp(program: Program): string {
  const visible = program.commands.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => commandName(c).length));
  return [
    `usage: ${program.name} ${usageGlobals} COMMAND [options]`,
    "",
    program.description,
    "",
    "commands:",
    ...visible.map((c) => `  ${commandName(c).padEnd(width)}  ${c.summary}`),
    "",
    "global options (before or after the command):",
    ...optionLines(globalOptions),
    "",
    "exit codes:",
    ...EXIT_CODES.map((e) => `  ${e.code}  ${e.meaning}`),
    "",
    `'${program.name} help COMMAND' (or '${program.name} COMMAND --help') shows a command's options.`,
  ].join("\n");
}

/** The command named exactly by `words`, or undefined. */
export function commandByWords(program: Program, words: readonly string[]): Command | undefined {
  return program.commands.find((c) => c.path.length === words.length && c.path.every((p, i) => p === words[i]));
}
