// Options every command accepts before its name (parsed by main; listed by help and completion).
import { type OptionSpec } from "./command";

export const globalOptions = {
  json: { type: "boolean" as const, description: "print events and the result as JSON lines" },
  workdir: { type: "string" as const, description: "the migration's working directory", valueName: "DIR" },
  help: { type: "boolean" as const, short: "h", description: "show help" },
  version: { type: "boolean" as const, description: "print the version" },
} satisfies Record<string, OptionSpec>;
