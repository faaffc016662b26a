// Help text of the command registry: the overview (`--help`) and one command's page (`help COMMAND`,
// `COMMAND --help`). Rendered from the same option specs the parser uses, so it cannot drift.
import { type Command, type OptionSpec } from "../cli/command";
import { EXIT_CODES } from "./exit-codes";

export const PROGRAM = "ablestack_v2k";

/** "--name VALUE, -s" as the option is typed on a command line. */
export function optionSynopsis(name: string, o: OptionSpec): string {
  const value = o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : "";
  return `--${name}${value}${o.short ? `, -${o.short}` : ""}${o.multiple ? " (repeatable)" : ""}`;
}

export function commandName(c: Command): string {
  return c.path.join(" ");
}

export function commandUsage(c: Command): string {
  return `usage: ${PROGRAM} [--workdir DIR] [--json] ${commandName(c)} [options]`;
}

/** One command's page. */
export function commandHelp(c: Command): string {
  const options = Object.entries(c.options).map(([n, o]) => `  ${optionSynopsis(n, o)}\n      ${o.description}`);
  return [commandUsage(c), "", c.summary, "", ...(options.length ? options : ["  (no options)"])].join("\n");
}

/** The overview: visible commands, global options, exit codes. */
export function overviewHelp(commands: readonly Command[], globalOptions: Record<string, OptionSpec>): string {
  const visible = commands.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => commandName(c).length));
  return [
    `usage: ${PROGRAM} [--workdir DIR] [--json] COMMAND [options]`,
    "",
    "Moves running VMware VMs to ABLESTACK (KVM/libvirt) with changed block tracking.",
    "",
    "commands:",
    ...visible.map((c) => `  ${commandName(c).padEnd(width)}  ${c.summary}`),
    "",
    "global options:",
    ...Object.entries(globalOptions).map(([n, o]) => `  ${optionSynopsis(n, o)}\n      ${o.description}`),
    "",
    "exit codes:",
    ...EXIT_CODES.map((e) => `  ${e.code}  ${e.meaning}`),
    "",
    `'${PROGRAM} help COMMAND' (or '${PROGRAM} COMMAND --help') shows a command's options.`,
  ].join("\n");
}

/** The command named by `words` (longest path match), or undefined. */
export function findCommandByWords(commands: readonly Command[], words: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.length <= words.length && c.path.every((p, i) => p === words[i]) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best && best.path.length === words.length ? best : undefined;
}
