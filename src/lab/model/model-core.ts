// Shared state and helpers of the lab model: lookups that throw the host's faults, the mutation
// queue (one mutation at a time, like a host's per-VM task serialisation), and persistence.
import { join } from "node:path";
import { CbtTracker } from "./cbt";
import { DiskChain } from "./disk-chain";
import { saveState, type DiskState, type LabState } from "./state";
import { LabFault, type LabDisk, type LabVm } from "./types";

export class ModelCore {
  readonly chains = new Map<string, DiskChain>();
  readonly trackers = new Map<string, CbtTracker>();
  private queue: Promise<unknown> = Promise.resolve();
  closed = false;

  constructor(
    readonly dir: string,
    readonly state: LabState,
  ) {}

  dsRoot(datastore: string): string {
    return join(this.dir, "datastores", datastore);
  }

  vmRef(moref: string): LabVm {
    const vm = this.state.inventory.vms.find((v) => v.moref === moref);
    if (!vm)
      throw new LabFault(
        "ManagedObjectNotFound",
        `The object 'vim.VirtualMachine:${moref}' has already been deleted or has not been completely created`,
        { obj: moref },
      );
    return vm;
  }

  findVmRef(nameOrMoref: string): LabVm {
    const vm =
      this.state.inventory.vms.find((v) => v.moref === nameOrMoref) ?? this.state.inventory.vms.find((v) => v.name === nameOrMoref);
    if (!vm) throw new LabFault("ManagedObjectNotFound", `No virtual machine named or with moref '${nameOrMoref}'`, { obj: nameOrMoref });
    return vm;
  }

  /** N below 2000 is the 0-based index in device order, otherwise a device key. */
  diskRef(vm: LabVm, indexOrKey: number): LabDisk {
    const disk = indexOrKey >= 2000 ? vm.disks.find((d) => d.key === indexOrKey) : vm.disks[indexOrKey];
    if (!disk)
      throw new LabFault("InvalidArgument", `A specified parameter was not correct: deviceKey ${indexOrKey} is not a disk of ${vm.name}`, {
        invalidProperty: "deviceKey",
      });
    return disk;
  }

  diskState(vm: string, key: number): DiskState {
    const d = this.state.disks.find((s) => s.vm === vm && s.key === key);
    if (!d) throw new Error(`lab state has no disk ${vm}:${key}`);
    return d;
  }

  chain(vm: string, key: number): DiskChain {
    const c = this.chains.get(`${vm}:${key}`);
    if (!c) throw new Error(`lab model has no disk chain ${vm}:${key}`);
    return c;
  }

  tracker(vm: string, key: number): CbtTracker {
    const t = this.trackers.get(`${vm}:${key}`);
    if (!t) throw new Error(`lab model has no CBT tracker ${vm}:${key}`);
    return t;
  }

  /** Runs mutations one after another; a failed one does not block the next. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new LabFault("InvalidState", "The lab is shutting down");
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async drain(): Promise<void> {
    await this.queue;
  }

  /** Copies live chain and CBT metadata into the state and saves it atomically. */
  async persist(): Promise<void> {
    for (const d of this.state.disks) {
      d.chain = this.chain(d.vm, d.key).metas;
      d.cbt = this.tracker(d.vm, d.key).state;
    }
    await saveState(this.dir, this.state);
  }

  /** An injected task failure for this operation, consumed once. */
  async takeTaskFault(op: string, fault: LabFault["fault"]): Promise<void> {
    const message = this.state.faults.failNextTask[op];
    if (message === undefined) return;
    delete this.state.faults.failNextTask[op];
    await this.persist();
    throw new LabFault(fault, message, { injected: op });
  }

  /** A stun (power-on, snapshot create/remove): tracking becomes active where it is enabled. */
  async stun(vm: LabVm): Promise<void> {
    if (!vm.changeTrackingEnabled) return;
    for (const disk of vm.disks) {
      const t = this.tracker(vm.moref, disk.key);
      if (!t.active) await t.startEpoch();
    }
  }

  /** Disks a snapshot freezes: independent disks and physical RDMs stay out, as on vSphere. */
  snapshotted(disk: LabDisk): boolean {
    return disk.diskMode === "persistent" && disk.rdm !== "physical";
  }

  /** Chain index of the delta a snapshot started; the snapshot's content is the chain below it. */
  frozenDepth(vm: LabVm, snapshot: string, diskKey: number): number | undefined {
    const idx = this.chain(vm.moref, diskKey).metas.findIndex((m) => m.snapshot === snapshot);
    return idx < 1 ? undefined : idx;
  }

  /** Snapshot configs name the file that holds their frozen content; merges move it. */
  refreshSnapshotFiles(vm: LabVm): void {
    for (const snap of vm.snapshots) {
      for (const disk of vm.disks) {
        const entry = snap.disks[disk.key];
        if (!entry) continue;
        const depth = this.frozenDepth(vm, snap.moref, disk.key);
        const frozen = depth === undefined ? undefined : this.chain(vm.moref, disk.key).metas[depth - 1];
        if (frozen) entry.fileName = `[${disk.datastore}] ${frozen.descriptor}`;
      }
    }
    vm.consolidationNeeded = vm.disks.some((d) => this.chain(vm.moref, d.key).metas.some((m, i) => i > 0 && m.snapshot === null));
  }
}
