// The composition root: the one place that knows both the helper's and the lab's commands.
import { defineProgram, type Program } from "../kit/cli/registry";
import { helperCommands } from "../helper/commands/index";
import { labCommands } from "../lab/cli/index";
import { docsCommands } from "./docs-commands";
import { programAbout } from "./program-about";

export const program: Program = defineProgram({
  ...programAbout,
  commands: [...helperCommands, ...docsCommands(() => program), ...labCommands],
});
