// The helper's commands. Each command lives in its own module; add one line per command here.
import { type Command } from "../../kit/cli/command";
import { versionCommand } from "./version";
import { copyCommand } from "./copy";
import { listCommand } from "./list";
import { vcenterProbeCommand, vcenterVmsCommand } from "./vcenter";
import { preflightCommand } from "./preflight";
import { initCommand } from "./init";
import { cbtEnableCommand, cbtStatusCommand } from "./cbt";
import { statusCommand } from "./status";
import { snapshotCommand, syncCommand } from "./sync";
import { cutoverCommand } from "./cutover";
import { verifyCommand } from "./verify";
import { rollbackCommand } from "./rollback";
import { cleanupCommand } from "./cleanup";
import { runCommand } from "./run";
import { jobCommands } from "./job";
import { storageNetworksCommand, storagePoolsCommand } from "./storage";
import { stepOptionsCommand } from "./step-options";

export const helperCommands: Command[] = [
  versionCommand,
  copyCommand,
  listCommand,
  vcenterProbeCommand,
  vcenterVmsCommand,
  preflightCommand,
  initCommand,
  cbtEnableCommand,
  cbtStatusCommand,
  statusCommand,
  snapshotCommand,
  syncCommand,
  cutoverCommand,
  verifyCommand,
  rollbackCommand,
  cleanupCommand,
  runCommand,
  ...jobCommands,
  storagePoolsCommand,
  storageNetworksCommand,
  stepOptionsCommand,
];
