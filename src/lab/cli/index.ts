// The lab's commands (`lab start|stop|write|disk-hash|fault|inventory|build-images`), shipped in the helper for rehearsals.
import { type Command } from "../../kit/cli/command";
import { labStartCommand } from "./start";
import { labStopCommand } from "./stop";
import { labBuildImagesCommand } from "./images";
import { labDiskHashCommand, labFaultCommand, labInventoryCommand, labWriteCommand } from "./guest";

export const labCommands: Command[] = [
  labStartCommand,
  labStopCommand,
  labWriteCommand,
  labDiskHashCommand,
  labFaultCommand,
  labInventoryCommand,
  labBuildImagesCommand,
];
