// Splits a command line into global options, command words and the command's own arguments. Globals
// are recognised anywhere (before the words, after them, among the command's options), as operators
// type them: `ablestack_v2k --workdir W cbt status --json`. Everything after `--` is the command's.
import { parseArgs } from "node:util";
import { type GlobalOptions, type OptionSpec } from "./command";

export const globalOptions = {
  json: { type: "boolean", description: "print events and the result as JSON lines" },
  workdir: { type: "string", description: "the migration's working directory", valueName: "DIR" },
  resume: { type: "boolean", description: "continue the workdir from where it stopped (what every command does anyway)" },
  help: { type: "boolean", short: "h", description: "show help" },
  version: { type: "boolean", description: "print the version" },
} as const satisfies Record<string, OptionSpec>;

export interface SplitArgv {
  /** Raw global tokens, in order (values of --workdir included). */
  globals: string[];
  /** Command words: the leading non-option tokens. */
  words: string[];
  /** The command's own options and positionals. */
  rest: string[];
}

/** The global option a token names (`--json`, `--workdir=W`, `-h`), or undefined. */
function globalName(token: string): keyof typeof globalOptions | undefined {
  if (token === "-h") return "help";
  const m = /^--([a-z-]+)(=.*)?$/.exec(token);
  return m && Object.hasOwn(globalOptions, m[1]!) ? (m[1] as keyof typeof globalOptions) : undefined;
}

export function splitArgv(argv: string[]): SplitArgv {
  const out: SplitArgv = { globals: [], words: [], rest: [] };
  let inCommandArgs = false; // after the first option that is not global, bare tokens are the command's
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") {
      out.rest.push(...argv.slice(i));
      break;
    }
    const name = globalName(token);
    if (name) {
      out.globals.push(token);
      // a separate value: `--workdir W` (a missing value is left for parseArgs to report)
      if (globalOptions[name].type === "string" && !token.includes("=") && i + 1 < argv.length) out.globals.push(argv[++i]!);
    } else if (!inCommandArgs && !token.startsWith("-")) {
      out.words.push(token);
    } else {
      inCommandArgs = true;
      out.rest.push(token);
    }
  }
  return out;
}

export interface ParsedGlobals extends GlobalOptions {
  help: boolean;
  version: boolean;
}

/** Parses the global tokens; throws node's parseArgs error (a usage error) on a bad one. */
export function parseGlobals(tokens: string[]): ParsedGlobals {
  const parsed = parseArgs({ args: tokens, options: globalOptions, strict: true, allowPositionals: false, tokens: true });
  // `--workdir A ... --workdir B` would act on B silently: which migration was meant is unclear
  const workdirs = parsed.tokens.filter((t) => t.kind === "option" && t.name === "workdir").length;
  if (workdirs > 1) throw new Error("--workdir given more than once");
  const v = parsed.values;
  return { json: v.json ?? false, workdir: v.workdir, resume: v.resume ?? false, help: v.help ?? false, version: v.version ?? false };
}

/** Command options whose name or short flag is also a global's: the global would take them silently. */
export function globalClashes(options: Record<string, OptionSpec>): string[] {
  const shorts = new Set<string>(Object.values(globalOptions).flatMap((o) => ("short" in o ? [o.short] : [])));
  return Object.entries(options).flatMap(([name, o]) => [
    ...(Object.hasOwn(globalOptions, name) ? [`--${name}`] : []),
    ...(o.short && shorts.has(o.short) ? [`-${o.short}`] : []),
  ]);
}
