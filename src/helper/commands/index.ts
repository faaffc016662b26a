// The command registry. Each command lives in its own module; add one line per command here.
import { type Command } from "../cli/command";
import { versionCommand } from "./version";
import { completionCommand, helpCommand } from "./help";
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
import { labStartCommand } from "../../lab/cli/start";
import { labStopCommand } from "../../lab/cli/stop";
import { labDiskHashCommand, labFaultCommand, labInventoryCommand, labWriteCommand } from "../../lab/cli/guest";

export const commands: Command[] = [
  versionCommand,
  helpCommand,
  completionCommand,
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
  labStartCommand,
  labStopCommand,
  labWriteCommand,
  labDiskHashCommand,
  labFaultCommand,
  labInventoryCommand,
];
