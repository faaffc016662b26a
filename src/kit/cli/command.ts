// A command is a path ("cbt enable"), its options (parsed by node's parseArgs, validated by zod)
// and an async run() that returns the data of the result line. Commands never print results
// themselves and never call process.exit: main() owns the one exit path.
import { type z } from "zod";
import { type Emitter } from "../emitter";

export interface OptionSpec {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  description: string;
  /** Shown in help, e.g. "SIZE". */
  valueName?: string;
}

/** Options every command accepts, before or after its words (see ./argv). */
export interface GlobalOptions {
  json: boolean;
  workdir: string | undefined;
  /** Continue the workdir from where it stopped: what every command does anyway; accepted so scripts may say so. */
  resume: boolean;
}

export interface CommandContext {
  global: GlobalOptions;
  emitter: Emitter;
  /** Aborted on SIGINT/SIGTERM: long work stops cleanly and leaves the manifest consistent. */
  signal: AbortSignal;
  /** Reads all of stdin once (secrets are passed this way); "" when stdin is a TTY or empty. */
  readStdin(): Promise<string>;
  /** The options typed on the command line (long names). */
  given: ReadonlySet<string>;
  /**
   * The command's options again as if `defaults` had been typed for the options the command line leaves
   * out (defaults kept elsewhere, e.g. in a manifest), validated by the same schema; a USAGE error if not.
   */
  withDefaults(defaults: Readonly<Record<string, string | boolean>>): unknown;
}

export interface Command<S extends z.ZodTypeAny = z.ZodTypeAny> {
  path: string[];
  summary: string;
  options: Record<string, OptionSpec>;
  /** Validates {...parsed options, positionals}; its output is what run() receives. */
  schema: S;
  /** Human rendering of the result data on stdout (without --json). Default: JSON pretty print. */
  render?(data: unknown): string;
  run(options: z.output<S>, ctx: CommandContext): Promise<unknown>;
  /** Exit status of a successful run whose answer is "no" (preflight's No-Go is 3); default 0. */
  exitCode?(data: unknown): number;
  /** Hidden from --help (developer tools such as the raw copy command). */
  hidden?: boolean;
}

export function defineCommand<S extends z.ZodTypeAny>(command: Command<S>): Command<S> {
  return command;
}
