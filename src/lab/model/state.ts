// The lab's persisted metadata: <dir>/lab-model.json (inventory, disk chains, CBT epochs, faults).
// Disk bytes, allocation maps and CBT generation maps live beside the disks under <dir>/datastores.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { writeFileAtomicAsync } from "../../kit/atomic-file";
import { type CbtMeta } from "./cbt";
import { type ChainFileMeta } from "./disk-chain";
import { type LabFaults, type LabInventory } from "./types";

export const STATE_FILE = "lab-model.json";
export const DEFAULT_QCDA_PAGE_SIZE = 2000;

export interface DiskState {
  vm: string;
  key: number;
  /** Datastore name the disk's files live on. */
  datastore: string;
  chain: ChainFileMeta[];
  cbt: CbtMeta;
  /** CBT generation map, relative to the datastore root ("web01/web01-ctk.vmdk"). */
  ctkPath: string;
}

export interface LabState {
  schemaVersion: 1;
  scenario: string;
  createdAt: string;
  /** False while the scenario is being built; a lab found in that state is built again. */
  setupComplete?: boolean;
  nextSnapshotId: number;
  inventory: LabInventory;
  faults: LabFaults;
  disks: DiskState[];
  /** VM moref -> ISO time a guest shutdown completes (survives a lab restart). */
  pendingShutdowns: Record<string, string>;
}

export function defaultFaults(): LabFaults {
  return { failNextTask: {}, slowMs: 0, datastoreReadErrors: 0, sessionsExpiredBefore: null, qcdaPageSize: DEFAULT_QCDA_PAGE_SIZE };
}

export async function loadState(dir: string): Promise<LabState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  let state: LabState;
  try {
    state = JSON.parse(text) as LabState;
  } catch (e) {
    throw invalid(dir, `is not JSON: ${(e as Error).message}`);
  }
  if (state.schemaVersion !== 1 || !state.inventory || !Array.isArray(state.disks) || !Array.isArray(state.inventory.vms)) {
    throw invalid(dir, "has an unknown layout");
  }
  state.faults = { ...defaultFaults(), ...state.faults };
  state.pendingShutdowns ??= {};
  return state;
}

export async function saveState(dir: string, state: LabState): Promise<void> {
  await writeFileAtomicAsync(join(dir, STATE_FILE), JSON.stringify(state, null, 1) + "\n");
}

function invalid(dir: string, what: string): V2kError {
  return new V2kError(
    "LAB_STATE_INVALID",
    `${join(dir, STATE_FILE)} ${what}`,
    "Start the lab with an empty --dir to create a fresh one (the old dir holds the broken state).",
  );
}
