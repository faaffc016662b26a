// --help text, rendered from the command definitions and the global options.
import { type Command, type OptionSpec } from "./command";
import { globalOptions } from "./argv";
import { type Program } from "./registry";

function formatOption(name: string, o: OptionSpec): string {
  const value = o.type === "string" ? " " + (o.valueName ?? "VALUE") : "";
  return `  --${name}${value}${o.short ? `, -${o.short}` : ""}\n      ${o.description}`;
}

const usageGlobals = "[--workdir DIR] [--json] [--resume]";

export function commandHelp(program: Program, command: Command): string {
  return [`usage: ${program.name} ${usageGlobals} ${command.path.join(" ")} [options]`, "", command.summary, "",
    ...Object.entries(command.options).map(([n, o]) => formatOption(n, o)),
    "", "global options (before or after the command):",
    ...Object.entries(globalOptions).map(([n, o]) => formatOption(n, o))].join("\n");
}

export function programHelp(program: Program): string {
  const visible = program.commands.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => c.path.join(" ").length));
  return [
    `usage: ${program.name} ${usageGlobals} COMMAND [options]`,
    "",
    program.description,
    "",
    "commands:",
    ...visible.map((c) => `  ${c.path.join(" ").padEnd(width)}  ${c.summary}`),
    "",
    "global options (before or after the command):",
    ...Object.entries(globalOptions).map(([n, o]) => formatOption(n, o)),
    "",
    `'${program.name} COMMAND --help' shows a command's options.`,
  ].join("\n");
}
