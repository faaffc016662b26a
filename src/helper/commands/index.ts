// The command registry. Each command lives in its own module; add one line per command here.
import { type Command } from "../cli/command";
import { versionCommand } from "./version";
import { copyCommand } from "./copy";
import { listCommand } from "./list";

export const commands: Command[] = [
  versionCommand,
  copyCommand,
  listCommand,
];
