// ablestack_v2k: the host helper. One exit path: every outcome, including crashes, ends here as
// one result line (--json) or a human message, with exit code 0 (ok), 1 (failed), 2 (usage) or
// 3 (the command answered "no", e.g. preflight's No-Go; the result line is still ok with its data).
import { parseArgs } from "node:util";
import { z } from "zod";
import { commands } from "../commands/index";
import { type Command, type CommandContext, type GlobalOptions } from "./command";
import { Emitter, humanStderrSink, jsonStdoutSink } from "../events/emitter";
import { V2kError, toErrorInfo } from "../../shared/v2k-error";
import { TOOL_VERSION } from "../version";
import { globalOptions } from "./global-options";
import { commandHelp, overviewHelp } from "../docs/help";

function findCommand(words: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.length <= words.length && c.path.every((p, i) => p === words[i])) {
      if (!best || c.path.length > best.path.length) best = c;
    }
  }
  return best ? { command: best, rest: words.slice(best.path.length) } : undefined;
}

/** Split argv into leading global options, then the command words, then the command's own args. */
function splitArgv(argv: string[]): { globals: string[]; words: string[]; rest: string[] } {
  const globals: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-")) {
    const a = argv[i]!;
    globals.push(a);
    if (a === "--workdir") globals.push(argv[++i] ?? "");
    i++;
  }
  const words: string[] = [];
  while (i < argv.length && !argv[i]!.startsWith("-")) words.push(argv[i++]!);
  return { globals, words, rest: argv.slice(i) };
}

export function helpText(command?: Command): string {
  return command ? commandHelp(command) : overviewHelp(commands, globalOptions);
}

async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function main(argv: string[]): Promise<number> {
  const { globals, words, rest } = splitArgv(argv);
  let parsedGlobals;
  try {
    parsedGlobals = parseArgs({ args: globals, options: globalOptions, strict: true, allowPositionals: false }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${helpText()}\n`);
    return 2;
  }
  if (parsedGlobals.version) {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  const found = findCommand(words);
  if (!found) {
    if (words.length === 0 || parsedGlobals.help) {
      process.stdout.write(helpText() + "\n");
      return parsedGlobals.help ? 0 : 2;
    }
    process.stderr.write(`unknown command: ${words.join(" ")}\n\n${helpText()}\n`);
    return 2;
  }
  const { command } = found;
  const global: GlobalOptions = { json: parsedGlobals.json ?? false, workdir: parsedGlobals.workdir };
  const emitter = new Emitter();
  emitter.addSink(global.json ? jsonStdoutSink : humanStderrSink);
  const step = command.path.join(" ");

  // A reader that goes away (`| head`, a closed page) must not kill a sync midway: events.log
  // still records everything, so a broken stdout/stderr pipe is ignored.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => abort.abort(new V2kError("CANCELLED", `interrupted by ${sig}`, "Re-run the command: it continues from the workdir."));
  // `on`, not `once`: execa's cleanup handler re-raises a signal when it sees no other listener
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let stdinCache: Promise<string> | undefined;
  const ctx: CommandContext = { global, emitter, signal: abort.signal, readStdin: () => (stdinCache ??= readAllStdin()) };

  try {
    const args = [...found.rest, ...rest];
    if (args.includes("--help") || args.includes("-h") || parsedGlobals.help) {
      process.stdout.write(helpText(command) + "\n");
      return 0;
    }
    let options: unknown;
    try {
      const parsed = parseArgs({ args, options: command.options, strict: true, allowPositionals: true });
      options = command.schema.parse({ ...parsed.values, positionals: parsed.positionals });
    } catch (e) {
      const message = e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ") : (e as Error).message;
      throw new V2kError("USAGE", message, `See 'ablestack_v2k ${step} --help'.`);
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
