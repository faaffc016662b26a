// The lab host: implements LabModelApi on top of the disk chains, CBT trackers and persisted state.
// Every mutation runs through the core's queue and is saved before its promise resolves.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { statSync } from "node:fs";
import { type ModelCore } from "./model-core";
import { changedAreasQuery } from "./qcda";
import { consolidate, snapshotCreate, snapshotRemove, snapshotRevert } from "./snapshots";
import { guestPattern } from "./guest-data";
import { GRAIN } from "./grain-map";
import { descriptorText } from "./descriptor";
import { growDisk } from "./disk-grow";
import {
  LabFault,
  type ChangedAreas,
  type CountedFault,
  type DatastoreEntry,
  type DatastoreFile,
  type LabDiskFile,
  type LabFaults,
  type LabInventory,
  type LabModelApi,
  type LabVm,
  type ReconfigureSpec,
} from "./types";

/** Operations an injected task failure (failNextTask) can name. */
export const TASK_FAULT_OPS = [
  "CreateSnapshot",
  "RemoveSnapshot",
  "RevertToSnapshot",
  "Reconfig",
  "PowerOn",
  "PowerOff",
  "ShutdownGuest",
  "ConsolidateDisks",
] as const;

/** Accepts the op names and their vSphere method names ("PowerOnVM_Task", "CreateSnapshot_Task", ...). */
export function taskFaultOp(name: string): (typeof TASK_FAULT_OPS)[number] | undefined {
  const aliases: Record<string, (typeof TASK_FAULT_OPS)[number]> = {
    createsnapshot_task: "CreateSnapshot",
    removesnapshot_task: "RemoveSnapshot",
    reverttosnapshot_task: "RevertToSnapshot",
    reconfigvm_task: "Reconfig",
    poweronvm_task: "PowerOn",
    poweroffvm_task: "PowerOff",
    consolidatevmdisks_task: "ConsolidateDisks",
  };
  const lower = name.toLowerCase();
  return TASK_FAULT_OPS.find((op) => op.toLowerCase() === lower) ?? aliases[lower];
}

/** Guest shutdown takes this long after ShutdownGuest returns (a real guest needs a moment too). */
export const GUEST_SHUTDOWN_MS = 1500;
const WRITE_CHUNK = 16 * 1024 * 1024;
const zeroGrain = Buffer.alloc(GRAIN);
/** Largest single guest write (keeps one request bounded; loop for more). */
export const MAX_GUEST_WRITE = 1024 * 1024 * 1024;

export class LabModel implements LabModelApi {
  private readonly shutdownTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly core: ModelCore,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {
    for (const [vm, at] of Object.entries(core.state.pendingShutdowns)) this.scheduleShutdown(vm, Date.parse(at));
  }

  get dir(): string {
    return this.core.dir;
  }

  get scenario(): string {
    return this.core.state.scenario;
  }

  inventory(): LabInventory {
    return structuredClone(this.core.state.inventory);
  }

  vm(moref: string): LabVm {
    return structuredClone(this.core.vmRef(moref));
  }

  findVm(nameOrMoref: string): LabVm {
    return structuredClone(this.core.findVmRef(nameOrMoref));
  }

  snapshotOwner(snapshot: string): LabVm {
    const vm = this.core.state.inventory.vms.find((v) => v.snapshots.some((s) => s.moref === snapshot));
    if (!vm)
      throw new LabFault(
        "ManagedObjectNotFound",
        `The object 'vim.vm.Snapshot:${snapshot}' has already been deleted or has not been completely created`,
        { obj: snapshot },
      );
    return structuredClone(vm);
  }

  faults(): LabFaults {
    return structuredClone(this.core.state.faults);
  }

  setFaults(patch: Partial<LabFaults>): Promise<void> {
    return this.core.serialize(async () => {
      const f = this.core.state.faults;
      if (patch.failNextTask !== undefined) f.failNextTask = { ...f.failNextTask, ...patch.failNextTask };
      if (patch.slowMs !== undefined) f.slowMs = Math.max(0, patch.slowMs);
      if (patch.datastoreReadErrors !== undefined) f.datastoreReadErrors = Math.max(0, patch.datastoreReadErrors);
      if (patch.sessionsExpiredBefore !== undefined) f.sessionsExpiredBefore = patch.sessionsExpiredBefore;
      if (patch.qcdaPageSize !== undefined) {
        if (!Number.isInteger(patch.qcdaPageSize) || patch.qcdaPageSize < 1)
          throw new LabFault("InvalidArgument", "qcdaPageSize must be a positive integer");
        f.qcdaPageSize = patch.qcdaPageSize;
      }
      if (patch.qcdaUnsupported !== undefined) f.qcdaUnsupported = patch.qcdaUnsupported;
      if (patch.slowNextTask !== undefined) f.slowNextTask = { ...f.slowNextTask, ...patch.slowNextTask };
      if (patch.malformedReplies !== undefined) f.malformedReplies = Math.max(0, patch.malformedReplies);
      if (patch.absurdExtents !== undefined) f.absurdExtents = Math.max(0, patch.absurdExtents);
      if (patch.connectionResetOutageMs !== undefined) f.connectionResetOutageMs = Math.max(0, patch.connectionResetOutageMs);
      if (patch.connectionResetsUntil !== undefined) f.connectionResetsUntil = patch.connectionResetsUntil;
      if (patch.connectionResets !== undefined) f.connectionResets = Math.max(0, patch.connectionResets);
      if (patch.connectionResetAfterBytes !== undefined) f.connectionResetAfterBytes = Math.max(0, patch.connectionResetAfterBytes);
      await this.core.persist();
    });
  }

  reconfigure(vmRef: string, spec: ReconfigureSpec): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      await this.core.takeTaskFault("Reconfig", "GenericVmConfigFault");
      for (const change of spec.disks ?? []) await growDisk(this.core, vm, change.key, change.capacityBytes);
      if (spec.changeTrackingEnabled && (vm.hardwareVersion ?? 14) < 7) {
        throw new LabFault("GenericVmConfigFault", `Change tracking is not supported on virtual hardware version ${vm.hardwareVersion}.`);
      }
      for (const { key, value } of spec.extraConfig ?? []) {
        vm.extraConfig ??= {};
        if (value === "") delete vm.extraConfig[key];
        else vm.extraConfig[key] = value;
      }
      if (spec.changeTrackingEnabled !== undefined && spec.changeTrackingEnabled !== vm.changeTrackingEnabled) {
        vm.changeTrackingEnabled = spec.changeTrackingEnabled;
        // Enabling takes effect at the next stun; disabling drops the tracking state at once.
        if (!spec.changeTrackingEnabled) for (const d of vm.disks) await this.core.tracker(vm.moref, d.key).stop();
      }
      this.core.refreshSnapshotFiles(vm);
      await this.core.persist();
    });
  }

  diskFiles(vmRef: string, diskKey: number): LabDiskFile[] {
    const vm = this.core.vmRef(vmRef);
    const disk = this.core.diskRef(vm, diskKey);
    const chain = this.core.chain(vm.moref, disk.key);
    return chain.metas.map((m, i) => ({
      descriptor: `[${disk.datastore}] ${m.descriptor}`,
      dataFile: `[${disk.datastore}] ${m.path}`,
      snapshot: m.snapshot,
      allocatedBytes: chain.allocatedBytes(i),
    }));
  }

  powerOn(vmRef: string): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      await this.core.takeTaskFault("PowerOn", "GenericVmConfigFault");
      if (vm.powerState === "poweredOn")
        throw new LabFault("InvalidPowerState", "The attempted operation cannot be performed in the current state (Powered on).", {
          requestedState: "poweredOff",
          existingState: "poweredOn",
        });
      vm.powerState = "poweredOn";
      vm.toolsRunning = vm.toolsInstalled;
      await this.core.stun(vm);
      await this.core.persist();
    });
  }

  powerOff(vmRef: string): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      await this.core.takeTaskFault("PowerOff", "GenericVmConfigFault");
      if (vm.powerState === "poweredOff")
        throw new LabFault("InvalidPowerState", "The attempted operation cannot be performed in the current state (Powered off).", {
          requestedState: "poweredOn",
          existingState: "poweredOff",
        });
      await this.setPoweredOff(vm);
    });
  }

  shutdownGuest(vmRef: string): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      await this.core.takeTaskFault("ShutdownGuest", "GenericVmConfigFault");
      if (vm.powerState !== "poweredOn")
        throw new LabFault("InvalidPowerState", "The attempted operation cannot be performed in the current state (Powered off).", {
          requestedState: "poweredOn",
          existingState: vm.powerState,
        });
      if (!vm.toolsRunning)
        throw new LabFault("ToolsUnavailable", "Cannot complete operation because VMware Tools is not running in this virtual machine.");
      const at = Date.now() + GUEST_SHUTDOWN_MS;
      this.core.state.pendingShutdowns[vm.moref] = new Date(at).toISOString();
      await this.core.persist();
      this.scheduleShutdown(vm.moref, at);
    });
  }

  createSnapshot(vmRef: string, opts: { name: string; description: string; memory: boolean; quiesce: boolean }): Promise<string> {
    return this.core.serialize(() => snapshotCreate(this.core, this.core.vmRef(vmRef), opts));
  }

  removeSnapshot(snapshot: string, opts: { removeChildren: boolean; consolidate: boolean }): Promise<void> {
    return this.core.serialize(() => snapshotRemove(this.core, this.ownerRef(snapshot), snapshot, opts));
  }

  revertToSnapshot(snapshot: string, opts: { suppressPowerOn: boolean }): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.ownerRef(snapshot);
      const timer = this.shutdownTimers.get(vm.moref);
      if (timer) clearTimeout(timer);
      this.shutdownTimers.delete(vm.moref);
      await snapshotRevert(this.core, vm, snapshot, opts);
    });
  }

  consolidateDisks(vmRef: string): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      await this.core.takeTaskFault("ConsolidateDisks", "GenericVmConfigFault");
      await consolidate(this.core, vm);
    });
  }

  currentDiskBacking(vmRef: string, diskKey: number): { fileName: string; changeId: string | null } {
    const vm = this.core.vmRef(vmRef);
    const disk = this.core.diskRef(vm, diskKey);
    const chain = this.core.chain(vm.moref, disk.key);
    const top = chain.metas[chain.length - 1]!;
    return { fileName: `[${disk.datastore}] ${top.descriptor}`, changeId: this.core.tracker(vm.moref, disk.key).changeId() };
  }

  async queryChangedDiskAreas(
    vmRef: string,
    snapshot: string | null,
    diskKey: number,
    startOffset: number,
    changeId: string,
  ): Promise<ChangedAreas> {
    const reply = await this.core.serialize(async () =>
      changedAreasQuery(this.core, this.core.vmRef(vmRef), snapshot, diskKey, startOffset, changeId),
    );
    // absurd-extents fault: an extent inside the answered range's start but ending petabytes past the disk
    if (await this.takeCountedFault("absurdExtents")) reply.changedArea.push({ start: reply.startOffset, length: 2 ** 50 });
    return reply;
  }

  openDatastoreFile(datastore: string, path: string): DatastoreFile {
    let ds = datastore;
    let rel = path;
    const bracket = /^\[([^\]]+)\]\s*(.*)$/.exec(datastore);
    if (bracket) [ds, rel] = [bracket[1]!, bracket[2]! || path];
    rel = rel.replace(/^\/+/, "");
    for (const d of this.core.state.disks) {
      if (d.datastore !== ds) continue;
      const chain = this.core.chain(d.vm, d.key);
      const descriptorAt = chain.metas.findIndex((m) => m.descriptor === rel);
      if (descriptorAt >= 0) {
        const vm = this.core.vmRef(d.vm);
        const disk = this.core.diskRef(vm, d.key);
        const text = Buffer.from(
          descriptorText(disk, chain.metas, descriptorAt, vm.controllers.find((c) => c.key === disk.controllerKey)?.type),
        );
        return {
          size: text.length,
          read: async (start, end) => (await this.takeReadFault(`[${ds}] ${rel}`), Buffer.from(text.subarray(start, end))),
        };
      }
      const meta = chain.metas.find((m) => m.path === rel);
      if (!meta) continue;
      return {
        size: chain.capacityBytes,
        local: { path: chain.abs(meta), name: `[${ds}] ${rel}` },
        read: async (start, end) => {
          await this.takeReadFault(`[${ds}] ${rel}`);
          try {
            return await chain.readFile(meta, start, end);
          } catch (e) {
            throw new LabFault("FileFault", `Error caused by file [${ds}] ${rel}: ${(e as Error).message}`, { file: `[${ds}] ${rel}` });
          }
        },
      };
    }
    throw new LabFault("NotFound", `File [${ds}] ${rel} was not found`, { file: `[${ds}] ${rel}` });
  }

  datastoreFiles(datastore: string): DatastoreEntry[] {
    const out: DatastoreEntry[] = [];
    for (const d of this.core.state.disks) {
      if (d.datastore !== datastore) continue;
      const vm = this.core.vmRef(d.vm);
      const disk = this.core.diskRef(vm, d.key);
      const chain = this.core.chain(d.vm, d.key);
      const controller = vm.controllers.find((c) => c.key === disk.controllerKey)?.type;
      for (const m of chain.metas) {
        let modified = this.core.state.createdAt;
        try {
          modified = statSync(chain.abs(m)).mtime.toISOString();
        } catch {
          // a file being merged away right now keeps the lab's creation time
        }
        const descriptorSize = this.openDatastoreFile(datastore, m.descriptor).size;
        out.push({
          path: m.descriptor,
          size: descriptorSize,
          modified,
          disk: { capacityBytes: chain.capacityBytes, thin: disk.thin, controller, extent: m.path },
        });
        out.push({ path: m.path, size: chain.capacityBytes, modified, extent: true });
      }
    }
    return out;
  }

  guestWrite(vmRef: string, diskIndexOrKey: number, offset: number, length: number, seed: number): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      if (vm.powerState !== "poweredOn")
        throw new LabFault("InvalidPowerState", `${vm.name} is powered off: a guest can only write while it runs`, {
          existingState: vm.powerState,
        });
      await this.writeDisk(vm, diskIndexOrKey, offset, length, seed);
    });
  }

  /** Scenario set-up: puts guest data on a disk regardless of power state. */
  seedDisk(vmRef: string, diskIndexOrKey: number, offset: number, length: number, seed: number): Promise<void> {
    return this.core.serialize(async () => this.writeDisk(this.core.vmRef(vmRef), diskIndexOrKey, offset, length, seed));
  }

  /** Scenario set-up: copies a raw image file (a boot disk) to offset 0, skipping all-zero grains to stay thin. */
  importImage(vmRef: string, diskIndexOrKey: number, imagePath: string): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      const disk = this.core.diskRef(vm, diskIndexOrKey);
      const chain = this.core.chain(vm.moref, disk.key);
      const tracker = this.core.tracker(vm.moref, disk.key);
      const fh = await open(imagePath, "r");
      try {
        const size = (await fh.stat()).size;
        if (size > disk.capacityBytes) throw new LabFault("InvalidArgument", `image of ${size} bytes does not fit ${disk.label}`);
        // runs of non-zero grains, up to 4 MiB each, become one write
        const chunk = Buffer.alloc(64 * GRAIN);
        for (let base = 0; base < size; base += chunk.length) {
          const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, size - base), base);
          let g = 0;
          while (g * GRAIN < bytesRead) {
            const grainAt = (k: number) => chunk.subarray(k * GRAIN, Math.min((k + 1) * GRAIN, bytesRead));
            const isZero = (k: number) => grainAt(k).equals(zeroGrain.subarray(0, grainAt(k).length));
            if (isZero(g)) {
              g++;
              continue;
            }
            let h = g + 1;
            while (h * GRAIN < bytesRead && !isZero(h)) h++;
            const w = await chain.write(base + g * GRAIN, Buffer.from(chunk.subarray(g * GRAIN, Math.min(h * GRAIN, bytesRead))));
            await tracker.markWritten(w.firstGrain, w.lastGrain);
            g = h;
          }
        }
      } finally {
        await fh.close();
      }
    });
  }

  diskHash(vmRef: string, diskIndexOrKey: number, snapshot: string | null): Promise<string> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      const disk = this.core.diskRef(vm, diskIndexOrKey);
      const chain = this.core.chain(vm.moref, disk.key);
      let depth = chain.length;
      if (snapshot !== null) {
        if (!vm.snapshots.some((s) => s.moref === snapshot))
          throw new LabFault(
            "InvalidArgument",
            `A specified parameter was not correct: snapshot ${snapshot} is not a snapshot of ${vm.name}`,
            { invalidProperty: "snapshot" },
          );
        const frozen = this.core.frozenDepth(vm, snapshot, disk.key);
        if (frozen === undefined)
          throw new LabFault("InvalidArgument", `${disk.label} of ${vm.name} is not part of snapshot ${snapshot} (independent disk)`, {
            invalidProperty: "deviceKey",
          });
        depth = frozen;
      }
      const hash = createHash("sha256");
      await chain.forEachChunk(depth, (chunk) => hash.update(chunk));
      return hash.digest("hex");
    });
  }

  /** An older VM: below hardware version 7 it cannot track changes (capability.changeTrackingSupported false). */
  setHardwareVersion(vmRef: string, version: number): Promise<void> {
    return this.core.serialize(async () => {
      this.core.vmRef(vmRef).hardwareVersion = version;
      await this.core.persist();
    });
  }

  cbtReset(vmRef: string): Promise<void> {
    return this.core.serialize(async () => {
      const vm = this.core.vmRef(vmRef);
      for (const d of vm.disks) {
        const t = this.core.tracker(vm.moref, d.key);
        if (t.active) await t.startEpoch();
      }
      await this.core.persist();
    });
  }

  async close(): Promise<void> {
    for (const t of this.shutdownTimers.values()) clearTimeout(t);
    this.shutdownTimers.clear();
    await this.core.drain();
    if (this.core.closed) return;
    this.core.closed = true;
    await this.release();
  }

  private ownerRef(snapshot: string): LabVm {
    const vm = this.core.state.inventory.vms.find((v) => v.snapshots.some((s) => s.moref === snapshot));
    if (!vm)
      throw new LabFault(
        "ManagedObjectNotFound",
        `The object 'vim.vm.Snapshot:${snapshot}' has already been deleted or has not been completely created`,
        { obj: snapshot },
      );
    return vm;
  }

  private async writeDisk(vm: LabVm, diskIndexOrKey: number, offset: number, length: number, seed: number): Promise<void> {
    const disk = this.core.diskRef(vm, diskIndexOrKey);
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length <= 0 ||
      length > MAX_GUEST_WRITE ||
      offset + length > disk.capacityBytes
    ) {
      throw new LabFault(
        "InvalidArgument",
        `write of ${length} bytes at ${offset} does not fit ${disk.label} (${disk.capacityBytes} bytes; at most ${MAX_GUEST_WRITE} per write)`,
        { invalidProperty: "offset" },
      );
    }
    const chain = this.core.chain(vm.moref, disk.key);
    const tracker = this.core.tracker(vm.moref, disk.key);
    for (let off = offset; off < offset + length; off += WRITE_CHUNK) {
      const len = Math.min(WRITE_CHUNK, offset + length - off);
      const w = await chain.write(off, guestPattern(seed, off, len));
      await tracker.markWritten(w.firstGrain, w.lastGrain);
    }
  }

  async takeTaskDelay(method: string): Promise<number> {
    const op = taskFaultOp(method);
    if (!op || !this.core.state.faults.slowNextTask?.[op]) return 0;
    return this.core.serialize(async () => {
      const ms = this.core.state.faults.slowNextTask?.[op] ?? 0;
      delete this.core.state.faults.slowNextTask?.[op];
      await this.core.persist();
      return ms;
    });
  }

  /** Counts down one of the "next N replies" faults; true when this reply is the faulty one. */
  async takeCountedFault(kind: CountedFault): Promise<boolean> {
    if (!(this.core.state.faults[kind] ?? 0)) return false; // fast path: unqueued
    return this.core.serialize(async () => {
      const left = this.core.state.faults[kind] ?? 0;
      if (left <= 0) return false;
      this.core.state.faults[kind] = left - 1;
      await this.core.persist();
      return true;
    });
  }

  private async takeReadFault(file: string): Promise<void> {
    if (this.core.state.faults.datastoreReadErrors <= 0) return; // fast path: reads stay unqueued
    const fail = await this.core.serialize(async () => {
      if (this.core.state.faults.datastoreReadErrors <= 0) return false;
      this.core.state.faults.datastoreReadErrors -= 1;
      await this.core.persist();
      return true;
    });
    if (fail) throw new LabFault("FileFault", `Error caused by file ${file}: injected datastore read error`, { file });
  }

  private async setPoweredOff(vm: LabVm): Promise<void> {
    vm.powerState = "poweredOff";
    vm.toolsRunning = false;
    delete this.core.state.pendingShutdowns[vm.moref];
    const timer = this.shutdownTimers.get(vm.moref);
    if (timer) clearTimeout(timer);
    this.shutdownTimers.delete(vm.moref);
    await this.core.persist();
  }

  private scheduleShutdown(moref: string, at: number): void {
    const timer = setTimeout(
      () => {
        this.shutdownTimers.delete(moref);
        void this.core
          .serialize(async () => {
            const vm = this.core.vmRef(moref);
            if (this.core.state.pendingShutdowns[moref] !== undefined && vm.powerState === "poweredOn") await this.setPoweredOff(vm);
          })
          .catch(() => undefined);
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.shutdownTimers.set(moref, timer);
  }
}
