// The composition root: the one place that knows both the helper's and the lab's commands.
import { defineProgram, type Program } from "../kit/cli/registry";
import { helperCommands } from "../helper/commands/index";
import { labCommands } from "../lab/cli/index";
import { TOOL_VERSION } from "../helper/version";
import { docsCommands } from "./docs-commands";

export const program: Program = defineProgram({
  name: "ablestack_v2k",
  description: "Moves running VMware VMs to ABLESTACK (KVM/libvirt) with changed block tracking.",
  version: TOOL_VERSION,
  commands: [...helperCommands, ...docsCommands(() => program), ...labCommands],
});
