// A command's context as the domain steps take it: no CLI types below the commands.
import { type CommandContext } from "../../kit/cli/command";
import { type StepContext } from "../state/index";

export function stepContext(ctx: CommandContext): StepContext {
  return { workdir: ctx.global.workdir, emitter: ctx.emitter, signal: ctx.signal, readStdin: () => ctx.readStdin() };
}
