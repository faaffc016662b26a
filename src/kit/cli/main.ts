// A program's main: one exit path. Every outcome, including crashes, ends here as one result line
// (--json) or a human message, with exit code 0 (ok), 1 (failed), 2 (usage) or 3 (the command
// answered "no", e.g. preflight's No-Go; the result line is still ok with its data).
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Command, type CommandContext, type GlobalOptions } from "./command";
import { parseGlobals, splitArgv, type ParsedGlobals } from "./argv";
import { commandHelp, programHelp } from "./help";
import { findCommand, type Program } from "./registry";
import { Emitter, humanStderrSink, jsonStdoutSink } from "../emitter";
import { V2kError, toErrorInfo } from "../../shared/v2k-error";

/** Stdin carries a password or a small document; more is a mistake (a file or a device piped in). */
export const MAX_STDIN_BYTES = 1024 * 1024;

async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > MAX_STDIN_BYTES) {
      process.stdin.destroy();
      throw new V2kError(
        "USAGE",
        `stdin holds more than ${MAX_STDIN_BYTES} bytes`,
        "Pipe only the password (one line) into --password-stdin.",
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A usage error found before any command ran: with --json still one result line, as for every other outcome. */
function usageBeforeCommand(argv: string[], step: string, message: string, help: string): number {
  process.stderr.write(`${message}\n\n${help}\n`);
  if (argv.includes("--json")) {
    const emitter = new Emitter();
    emitter.addSink(jsonStdoutSink);
    const error = new V2kError("USAGE", message, "See 'ablestack_v2k help'.").toInfo();
    emitter.emit({ type: "result", step, command: step, ok: false, error });
  }
  return 2;
}

/** Options given twice where only one value is taken: parseArgs would keep the last one silently. */
function repeatedOptions(
  tokens: ReturnType<typeof parseArgs>["tokens"],
  options: Record<string, { type: string; multiple?: boolean }>,
): string[] {
  const seen = new Map<string, number>();
  for (const t of tokens ?? []) {
    if (t.kind !== "option" || options[t.name]?.type !== "string" || options[t.name]?.multiple) continue;
    seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([name]) => `--${name}`);
}

/** A command line's options: validated, the names typed, and a re-validation with defaults for the others. */
export interface ParsedCommandLine {
  options: unknown;
  given: ReadonlySet<string>;
  withDefaults(defaults: Readonly<Record<string, string | boolean>>): unknown;
}

function usageError(e: unknown, hint: string): V2kError {
  const message =
    e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ") : (e as Error).message;
  return new V2kError("USAGE", message, hint);
}

/** A command's own arguments, parsed and validated; a USAGE error (with the hint) on bad ones. */
export function parseCommandLine(command: Command, args: string[], hint: string): ParsedCommandLine {
  try {
    const parsed = parseArgs({ args, options: command.options, strict: true, allowPositionals: true, tokens: true });
    const twice = repeatedOptions(parsed.tokens, command.options);
    if (twice.length > 0) throw new Error(`${twice.join(", ")} given more than once`);
    const validate = (defaults: Readonly<Record<string, unknown>>) => {
      try {
        return command.schema.parse({ ...defaults, ...parsed.values, positionals: parsed.positionals });
      } catch (e) {
        throw usageError(e, hint);
      }
    };
    const given = new Set((parsed.tokens ?? []).flatMap((t) => (t.kind === "option" ? [t.name] : [])));
    return { options: validate({}), given, withDefaults: validate };
  } catch (e) {
    throw e instanceof V2kError ? e : usageError(e, hint);
  }
}

/** A command's own arguments as the options its run() receives; a USAGE error (with the hint) on bad ones. */
export function parseCommandArgs(command: Command, args: string[], hint: string): unknown {
  return parseCommandLine(command, args, hint).options;
}

export async function main(program: Program, argv: string[]): Promise<number> {
  const { globals, words, rest } = splitArgv(argv);
  let parsedGlobals: ParsedGlobals;
  try {
    parsedGlobals = parseGlobals(globals);
  } catch (e) {
    return usageBeforeCommand(argv, words.join(" "), (e as Error).message, programHelp(program));
  }
  if (parsedGlobals.version) {
    process.stdout.write(`${program.version}\n`);
    return 0;
  }
  const found = findCommand(program.commands, words);
  if (!found) {
    if (words.length === 0 && rest.length > 0) return usageBeforeCommand(argv, "", `unknown option: ${rest[0]}`, programHelp(program));
    if (words.length === 0 || parsedGlobals.help) {
      process.stdout.write(programHelp(program) + "\n");
      return parsedGlobals.help ? 0 : 2;
    }
    return usageBeforeCommand(argv, words.join(" "), `unknown command: ${words.join(" ")}`, programHelp(program));
  }
  const { command } = found;
  const global: GlobalOptions = { json: parsedGlobals.json, workdir: parsedGlobals.workdir, resume: parsedGlobals.resume };
  const emitter = new Emitter();
  emitter.addSink(global.json ? jsonStdoutSink : humanStderrSink);
  const step = command.path.join(" ");

  // A reader that goes away (`| head`, a closed page) must not kill a sync midway: events.log
  // still records everything, so a broken stdout/stderr pipe is ignored.
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
    });
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) =>
    abort.abort(new V2kError("CANCELLED", `interrupted by ${sig}`, "Re-run the command: it continues from the workdir."));
  // `on`, not `once`: execa's cleanup handler re-raises a signal when it sees no other listener
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let stdinCache: Promise<string> | undefined;
  const readStdin = () => (stdinCache ??= readAllStdin());

  try {
    const args = [...found.rest, ...rest];
    if (parsedGlobals.help) {
      process.stdout.write(commandHelp(program, command) + "\n");
      return 0;
    }
    const line = parseCommandLine(command, args, `See '${program.name} ${step} --help'.`);
    const ctx: CommandContext = { global, emitter, signal: abort.signal, readStdin, given: line.given, withDefaults: line.withDefaults };
    const data = await command.run(line.options, ctx);
    if (global.json) emitter.emit({ type: "result", step, command: step, ok: true, data });
    else if (data !== undefined) process.stdout.write((command.render ? command.render(data) : JSON.stringify(data, null, 2)) + "\n");
    return command.exitCode?.(data) ?? 0;
  } catch (err) {
    const info = toErrorInfo(err);
    emitter.error(step, info);
    if (global.json) emitter.emit({ type: "result", step, command: step, ok: false, error: info });
    return info.code === "USAGE" ? 2 : 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
