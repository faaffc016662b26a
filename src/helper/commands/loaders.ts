// The commands of each first command word, loaded when a command line starts with that word: a command then
// evaluates its own modules only (`version` none of the engine's, vSphere's or the lab's), not every
// command's. index.ts lists the same commands at once for the whole program (help, reference, completion);
// test/unit/cli/command-loaders.test.ts keeps the two in step.
import { type Command } from "../../kit/cli/command";

/** Loads the commands whose path starts with one word. */
export type CommandLoader = () => Promise<Command[]>;

export const helperCommandLoaders: ReadonlyMap<string, CommandLoader> = new Map<string, CommandLoader>([
  ["version", async () => [(await import("./version")).versionCommand]],
  ["copy", async () => [(await import("./copy")).copyCommand]],
  ["list", async () => [(await import("./list")).listCommand]],
  ["vcenter", async () => import("./vcenter").then((m) => [m.vcenterProbeCommand, m.vcenterVmsCommand])],
  ["preflight", async () => [(await import("./preflight")).preflightCommand]],
  ["init", async () => [(await import("./init")).initCommand]],
  ["cbt", async () => import("./cbt").then((m) => [m.cbtEnableCommand, m.cbtStatusCommand])],
  ["status", async () => [(await import("./status")).statusCommand]],
  ["snapshot", async () => [(await import("./sync")).snapshotCommand]],
  ["sync", async () => [(await import("./sync")).syncCommand]],
  ["cutover", async () => [(await import("./cutover")).cutoverCommand]],
  ["verify", async () => [(await import("./verify")).verifyCommand]],
  ["rollback", async () => [(await import("./rollback")).rollbackCommand]],
  ["cleanup", async () => [(await import("./cleanup")).cleanupCommand]],
  ["run", async () => [(await import("./run")).runCommand]],
  ["job", async () => (await import("./job")).jobCommands],
  ["storage", async () => import("./storage").then((m) => [m.storagePoolsCommand, m.storageNetworksCommand])],
  ["step-options", async () => [(await import("./step-options")).stepOptionsCommand]],
]);
