// An in-process VsphereApi over the lab's model: the same CBT epochs and changeIds, snapshot tree,
// QueryChangedDiskAreas checks and power states the lab's SOAP server serves to pyvmomi, without
// python, TLS or SOAP. The model's faults become the errors the bridge would give (mapBridgeError),
// so round, cutover and rollback decisions run against it in milliseconds. Every call is recorded.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openLabModel, LabFault, type LabModel, type LabVm } from "../../src/lab/model/index";
import { type VsphereApi } from "../../src/helper/vsphere/api";
import { mapBridgeError } from "../../src/helper/vsphere/faults";
import {
  type DiskInfo,
  type InventoryResult,
  type QcdaResult,
  type SnapshotNode,
  type VmStateResult,
} from "../../src/helper/vsphere/replies";
import { type VcenterVmsResult } from "../../src/shared/results";

export class FakeVsphere implements VsphereApi {
  readonly relogins = 0;
  /** Every call in order, e.g. "powerOn vm-301", "snapshotRemove snapshot-204". */
  readonly calls: string[] = [];

  constructor(readonly model: LabModel) {}

  /** A lab model of `scenario` in a private directory, removed by the returned dispose. */
  static async open(scenario = "fleet"): Promise<{ api: FakeVsphere; dispose: () => Promise<void> }> {
    const dir = mkdtempSync(join(tmpdir(), "v2k-fake-vsphere-"));
    const model = await openLabModel(dir, { scenario });
    return {
      api: new FakeVsphere(model),
      dispose: async () => {
        await model.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }

  /** Calls whose text starts with `prefix`. */
  callsOf(prefix: string): string[] {
    return this.calls.filter((c) => c.startsWith(prefix));
  }

  vmList(): Promise<VcenterVmsResult> {
    return this.op("vmList", "", async () => ({
      vms: this.model.inventory().vms.map((vm) => ({
        name: vm.name,
        moref: vm.moref,
        powerState: vm.powerState,
        numCPU: vm.numCPU,
        memoryMiB: vm.memoryMiB,
        disks: vm.disks.map((d) => ({ key: d.key, label: d.label, capacityBytes: d.capacityBytes })),
        networks: vm.nics.map((n) => n.network),
      })),
    }));
  }

  inventory(vm: { name: string } | { moref: string }): Promise<InventoryResult> {
    return this.op("inventory", "name" in vm ? vm.name : vm.moref, async () =>
      this.inventoryOf(this.model.findVm("name" in vm ? vm.name : vm.moref)),
    );
  }

  vmState(moref: string): Promise<VmStateResult> {
    return this.op("vmState", moref, async () => {
      const vm = this.model.vm(moref);
      return {
        powerState: vm.powerState,
        toolsRunning: vm.toolsRunning,
        changeTrackingEnabled: vm.changeTrackingEnabled,
        snapshots: snapshotNodes(vm),
        consolidationNeeded: vm.consolidationNeeded,
      };
    });
  }

  powerOn(moref: string): Promise<{ changed: boolean }> {
    return this.op("powerOn", moref, async () => {
      if (this.model.vm(moref).powerState === "poweredOn") return { changed: false };
      await this.model.powerOn(moref);
      return { changed: true };
    });
  }

  powerOff(moref: string): Promise<{ changed: boolean }> {
    return this.op("powerOff", moref, async () => {
      if (this.model.vm(moref).powerState === "poweredOff") return { changed: false };
      await this.model.powerOff(moref);
      return { changed: true };
    });
  }

  shutdownGuest(moref: string): Promise<{ changed: boolean }> {
    return this.op("shutdownGuest", moref, async () => {
      await this.model.shutdownGuest(moref);
      return { changed: true };
    });
  }

  cbtEnable(moref: string): Promise<{ changed: boolean }> {
    return this.op("cbtEnable", moref, async () => {
      if (this.model.vm(moref).changeTrackingEnabled) return { changed: false };
      await this.model.reconfigure(moref, { changeTrackingEnabled: true });
      return { changed: true };
    });
  }

  snapshotCreate(moref: string, name: string, description: string): Promise<{ moref: string }> {
    return this.op("snapshotCreate", `${moref} ${name}`, async () => ({
      moref: await this.model.createSnapshot(moref, { name, description, memory: false, quiesce: false }),
    }));
  }

  snapshotRemove(snapshot: string): Promise<{ removed: boolean; missing: boolean }> {
    return this.op("snapshotRemove", snapshot, async () => {
      try {
        this.model.snapshotOwner(snapshot);
      } catch {
        return { removed: false, missing: true };
      }
      await this.model.removeSnapshot(snapshot, { removeChildren: false, consolidate: true });
      return { removed: true, missing: false };
    });
  }

  snapshotDisks(snapshot: string): Promise<DiskInfo[]> {
    return this.op("snapshotDisks", snapshot, async () => {
      const vm = this.model.snapshotOwner(snapshot);
      const snap = vm.snapshots.find((s) => s.moref === snapshot)!;
      return this.disksOf(vm).map((d) => ({ ...d, fileName: snap.disks[d.key]!.fileName, changeId: snap.disks[d.key]!.changeId }));
    });
  }

  changedAreas(moref: string, snapshot: string, deviceKey: number, changeId: string, capacityBytes: number): Promise<QcdaResult> {
    return this.op("qcda", `${moref} ${snapshot} ${deviceKey} ${changeId}`, async () => {
      const areas: [number, number][] = [];
      let at = 0;
      let calls = 0;
      while (at < capacityBytes) {
        const page = await this.model.queryChangedDiskAreas(moref, snapshot, deviceKey, at, changeId);
        calls++;
        for (const a of page.changedArea) areas.push([a.start, a.length]);
        at = page.startOffset + page.length;
      }
      return { areas, calls, covered: at };
    });
  }

  sessionCookie(): Promise<string> {
    return this.op("sessionCookie", "", async () => 'vmware_soap_session="fake-session"');
  }

  ping(): Promise<{ reauthenticated: boolean }> {
    return this.op("ping", "", async () => ({ reauthenticated: false }));
  }

  async close(): Promise<void> {}

  /** Record the call; the model's faults become what the bridge would throw for them. */
  private async op<T>(op: string, args: string, fn: () => Promise<T>): Promise<T> {
    this.calls.push(args ? `${op} ${args}` : op);
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof LabFault)) throw e;
      const kind = e.fault === "ManagedObjectNotFound" && op === "snapshotRemove" ? "snapshot-not-found" : "fault";
      throw mapBridgeError(op, { kind, fault: e.fault, message: e.message }, "fake vCenter");
    }
  }

  private disksOf(vm: LabVm): DiskInfo[] {
    return vm.disks.map((d) => {
      const backing = this.model.currentDiskBacking(vm.moref, d.key);
      return {
        key: d.key,
        label: d.label,
        controllerKey: d.controllerKey,
        unitNumber: d.unitNumber,
        capacityBytes: d.capacityBytes,
        fileName: backing.fileName,
        datastore: d.datastore,
        thin: d.thin,
        diskMode: d.diskMode,
        uuid: d.uuid,
        changeId: vm.changeTrackingEnabled ? backing.changeId : null,
        sharing: d.sharing,
        rdm: d.rdm,
        backingType: d.rdm === "none" ? "FlatVer2BackingInfo" : "RawDiskMappingVer1BackingInfo",
      };
    });
  }

  private inventoryOf(vm: LabVm): InventoryResult {
    const inv = this.model.inventory();
    const host = inv.hosts.find((h) => h.moref === vm.host) ?? null;
    return {
      moref: vm.moref,
      name: vm.name,
      uuid: vm.uuid,
      instanceUuid: vm.instanceUuid,
      guestId: vm.guestId,
      guestFullName: vm.guestFullName,
      firmware: vm.firmware,
      secureBoot: vm.secureBoot,
      numCPU: vm.numCPU,
      coresPerSocket: vm.coresPerSocket,
      memoryMiB: vm.memoryMiB,
      powerState: vm.powerState,
      toolsRunning: vm.toolsRunning,
      changeTrackingEnabled: vm.changeTrackingEnabled,
      changeTrackingSupported: (vm.hardwareVersion ?? 14) >= 7,
      hardwareVersion: `vmx-${vm.hardwareVersion ?? 14}`,
      consolidationNeeded: vm.consolidationNeeded,
      vmPathName: vm.vmPathName,
      host: host ? { moref: host.moref, name: host.name, version: host.version, build: host.build } : null,
      controllers: vm.controllers.map((c) => ({ key: c.key, type: c.type, busNumber: c.busNumber })),
      disks: this.disksOf(vm),
      nics: vm.nics.map((n) => ({
        key: n.key,
        label: n.label,
        model: n.model,
        mac: n.mac,
        network: n.network,
        networkKind: inv.networks.find((x) => x.name === n.network)?.kind ?? "standard",
      })),
      snapshots: snapshotNodes(vm),
      datastores: inv.datastores
        .filter((ds) => vm.disks.some((d) => d.datastore === ds.name))
        .map((ds) => ({ moref: ds.moref, name: ds.name, type: ds.type })),
      datacenter: inv.datacenter.name,
      guestinfo: {},
      vtpm: false,
    };
  }
}

function snapshotNodes(vm: LabVm): SnapshotNode[] {
  return vm.snapshots.map((s) => ({ moref: s.moref, name: s.name, createTime: s.createTime, parent: s.parent }));
}
