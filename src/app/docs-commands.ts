// `help [COMMAND...]`, `help --reference` (Markdown of everything) and `completion bash`: rendered from
// the program's own option specs, so help, completion and the reference never drift.
import { z } from "zod";
import { defineCommand } from "../kit/cli/command";
import { commandByWords, commandHelp, programHelp } from "../kit/cli/help";
import { type Program } from "../kit/cli/registry";
import { V2kError } from "../shared/v2k-error";
import { bashCompletion } from "./docs/completion";
import { renderReference } from "./docs/reference";

/** The docs commands of a program; `program()` is read at run time (the program lists these commands). */
export function docsCommands(program: () => Program) {
  const helpCommand = defineCommand({
    path: ["help"],
    summary: "show the help of a command (help COMMAND), or all commands, options and error codes (--reference)",
    options: { reference: { type: "boolean", description: "print the full reference in Markdown (as in /usr/share/doc/ablestack-v2k)" } },
    schema: z.object({ reference: z.boolean().default(false), positionals: z.array(z.string()) }),
    render: (data) => (data as { text: string }).text,
    async run(o) {
      if (o.reference) return { text: renderReference(program()) };
      if (o.positionals.length === 0) return { text: programHelp(program()) };
      const command = commandByWords(program(), o.positionals);
      if (!command) {
        throw new V2kError("USAGE", `unknown command: ${o.positionals.join(" ")}`, `'${program().name} help' lists the commands.`);
      }
      return { text: commandHelp(program(), command) };
    },
  });

  const completionCommand = defineCommand({
    path: ["completion"],
    summary: "print the bash completion script (installed as /usr/share/bash-completion/completions/ablestack_v2k)",
    options: {},
    schema: z.object({ positionals: z.tuple([z.literal("bash")]) }),
    render: (data) => (data as { script: string }).script.trimEnd(),
    async run() {
      return { script: bashCompletion(program()) };
    },
  });
  return [helpCommand, completionCommand];
}
