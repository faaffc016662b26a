// A scenario is the lab's starting inventory plus the set-up that puts data, snapshots and boot
// images on its disks through the model's own operations.
import { type LabModel } from "../model/lab-model";
import { type LabInventory } from "../model/types";

export interface Scenario {
  name: string;
  summary: string;
  inventory(): LabInventory;
  /** Runs once on a fresh lab dir, after the disks exist (empty, thin). */
  setup(model: LabModel, opts: { workDir: string }): Promise<void>;
}
