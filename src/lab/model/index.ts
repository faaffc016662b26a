// openLabModel: the lab's state in a directory. An empty dir gets the scenario built into it; a dir
// holding a lab is loaded as it was left (a restart keeps everything).
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { scenarioByName } from "../scenario/index";
import { type Scenario } from "../scenario/types";
import { CbtTracker } from "./cbt";
import { DiskChain } from "./disk-chain";
import { LabModel } from "./lab-model";
import { lockLabDir } from "./dir-lock";
import { ModelCore } from "./model-core";
import { STATE_FILE, defaultFaults, loadState, saveState, type DiskState, type LabState } from "./state";

export { LabModel } from "./lab-model";
export { LabFault } from "./types";
export type * from "./types";
export { GRAIN } from "./grain-map";
export { guestPattern } from "./guest-data";
export { parseChangeId } from "./change-id";

export interface OpenLabModelOptions {
  /** Scenario for a fresh dir (default "default"); ignored when the dir already holds a lab. */
  scenario?: string;
}

export async function openLabModel(dir: string, opts: OpenLabModelOptions = {}): Promise<LabModel> {
  await mkdir(dir, { recursive: true });
  const release = await lockLabDir(dir);
  try {
    const existing = await loadState(dir);
    if (existing && existing.setupComplete !== false) return new LabModel(await loadCore(dir, existing), release);
    if (existing) {
      // a set-up interrupted half way: nothing of value yet, build it again
      await rm(join(dir, "datastores"), { recursive: true, force: true });
      await rm(join(dir, STATE_FILE), { force: true });
    }
    return await createLab(dir, scenarioByName(opts.scenario ?? existing?.scenario ?? "default"), release);
  } catch (e) {
    await release();
    throw e;
  }
}

async function loadCore(dir: string, state: LabState): Promise<ModelCore> {
  const core = new ModelCore(dir, state);
  for (const d of state.disks) {
    const disk = core.vmRef(d.vm).disks.find((x) => x.key === d.key);
    if (!disk) throw new Error(`lab state names disk ${d.vm}:${d.key} that the inventory lacks`);
    const root = core.dsRoot(d.datastore);
    core.chains.set(`${d.vm}:${d.key}`, await DiskChain.load(root, d.chain, disk.capacityBytes));
    core.trackers.set(`${d.vm}:${d.key}`, await CbtTracker.load(join(root, d.ctkPath), d.cbt, disk.capacityBytes));
  }
  return core;
}

async function createLab(dir: string, scenario: Scenario, release: () => Promise<void>): Promise<LabModel> {
  const state: LabState = {
    schemaVersion: 1,
    scenario: scenario.name,
    createdAt: new Date().toISOString(),
    setupComplete: false,
    nextSnapshotId: 201,
    inventory: scenario.inventory(),
    faults: defaultFaults(),
    disks: [],
    pendingShutdowns: {},
  };
  const core = new ModelCore(dir, state);
  for (const vm of state.inventory.vms) {
    for (const disk of vm.disks) {
      const descriptor = disk.baseFileName.replace(/^\[[^\]]+\]\s*/, "");
      const stem = descriptor.replace(/\.vmdk$/, "");
      const root = core.dsRoot(disk.datastore);
      await mkdir(join(root, dirname(descriptor)), { recursive: true });
      const d: DiskState = {
        vm: vm.moref,
        key: disk.key,
        datastore: disk.datastore,
        chain: [{ path: `${stem}-flat.vmdk`, descriptor, number: 0, snapshot: null }],
        cbt: { epoch: null, seq: 0 },
        ctkPath: `${stem}-ctk.vmdk`,
      };
      core.chains.set(`${vm.moref}:${disk.key}`, await DiskChain.create(root, d.chain[0]!, disk.capacityBytes));
      core.trackers.set(`${vm.moref}:${disk.key}`, await CbtTracker.create(join(root, d.ctkPath), disk.capacityBytes));
      state.disks.push(d);
    }
  }
  await saveState(dir, state);
  const model = new LabModel(core, release);
  const workDir = join(dir, ".setup");
  await mkdir(workDir, { recursive: true });
  try {
    await scenario.setup(model, { workDir });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  state.setupComplete = true;
  await core.serialize(() => core.persist());
  return model;
}
