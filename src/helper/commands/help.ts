// `help [COMMAND...]`, `help --reference` (Markdown of everything) and `completion bash`: rendered from
// the registry's option specs by src/helper/docs, so help, completion and the reference never drift.
import { z } from "zod";
import { defineCommand } from "../cli/command";
import { globalOptions } from "../cli/global-options";
import { V2kError } from "../../shared/v2k-error";
import { commandHelp, findCommandByWords, overviewHelp } from "../docs/help";
import { bashCompletion } from "../docs/completion";
import { renderReference } from "../docs/reference";
import { commands } from "./index";

export const helpCommand = defineCommand({
  path: ["help"],
  summary: "show the help of a command (help COMMAND), or all commands, options and error codes (--reference)",
  options: { reference: { type: "boolean", description: "print the full reference in Markdown (as in /usr/share/doc/ablestack-v2k)" } },
  schema: z.object({ reference: z.boolean().default(false), positionals: z.array(z.string()) }),
  render: (data) => (data as { text: string }).text,
  async run(o) {
    if (o.reference) return { text: renderReference(commands, globalOptions) };
    if (o.positionals.length === 0) return { text: overviewHelp(commands, globalOptions) };
    const command = findCommandByWords(commands, o.positionals);
    if (!command) {
      throw new V2kError("USAGE", `unknown command: ${o.positionals.join(" ")}`, "'ablestack_v2k help' lists the commands.");
    }
    return { text: commandHelp(command) };
  },
});

export const completionCommand = defineCommand({
  path: ["completion"],
  summary: "print the bash completion script (installed as /usr/share/bash-completion/completions/ablestack_v2k)",
  options: {},
  schema: z.object({ positionals: z.tuple([z.literal("bash")]) }),
  render: (data) => (data as { script: string }).script.trimEnd(),
  async run() {
    return { script: bashCompletion(commands, globalOptions) };
  },
});
