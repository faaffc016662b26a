// A program's main: one exit path. Every outcome, including crashes, ends here as one result line
// (--json) or a human message, with exit code 0 (ok), 1 (failed), 2 (usage) or 3 (the command
// answered "no", e.g. preflight's No-Go; the result line is still ok with its data).
import { parseArgs } from "node:util";
import { z } from "zod";
import { type CommandContext, type GlobalOptions } from "./command";
import { parseGlobals, splitArgv, type ParsedGlobals } from "./argv";
import { commandHelp, programHelp } from "./help";
import { findCommand, type Program } from "./registry";
import { Emitter, humanStderrSink, jsonStdoutSink } from "../emitter";
import { V2kError, toErrorInfo } from "../../shared/v2k-error";

async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function main(program: Program, argv: string[]): Promise<number> {
  const { globals, words, rest } = splitArgv(argv);
  let parsedGlobals: ParsedGlobals;
  try {
    parsedGlobals = parseGlobals(globals);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${programHelp(program)}\n`);
    return 2;
  }
  if (parsedGlobals.version) {
    process.stdout.write(`${program.version}\n`);
    return 0;
  }
  const found = findCommand(program.commands, words);
  if (!found) {
    if (words.length === 0 && rest.length > 0) {
      process.stderr.write(`unknown option: ${rest[0]}\n\n${programHelp(program)}\n`);
      return 2;
    }
    if (words.length === 0 || parsedGlobals.help) {
      process.stdout.write(programHelp(program) + "\n");
      return parsedGlobals.help ? 0 : 2;
    }
    process.stderr.write(`unknown command: ${words.join(" ")}\n\n${programHelp(program)}\n`);
    return 2;
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
  const ctx: CommandContext = { global, emitter, signal: abort.signal, readStdin: () => (stdinCache ??= readAllStdin()) };

  try {
    const args = [...found.rest, ...rest];
    if (parsedGlobals.help) {
      process.stdout.write(commandHelp(program, command) + "\n");
      return 0;
    }
    let options: unknown;
    try {
      const parsed = parseArgs({ args, options: command.options, strict: true, allowPositionals: true });
      options = command.schema.parse({ ...parsed.values, positionals: parsed.positionals });
    } catch (e) {
      const message =
        e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ") : (e as Error).message;
      throw new V2kError("USAGE", message, `See '${program.name} ${step} --help'.`);
    }
    const data = await command.run(options, ctx);
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
