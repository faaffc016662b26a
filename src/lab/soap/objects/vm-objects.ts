// Properties of VirtualMachine and VirtualMachineSnapshot objects, computed from the model on demand.
import { type LabDisk, type LabDiskFile, type LabInventory, type LabModelApi, type LabSnapshot, type LabVm } from "../../model/types";
import { type DataObject, MoRef, data, mor } from "../codec/values";
import { type BackingLink, hardwareVersion, vmConfigInfo } from "./vm-config";

export type PropGetters = Record<string, () => unknown>;

/** Chain of backing files for a disk, newest first, starting at `first` and walking snapshot parents. */
function chainFrom(vm: LabVm, disk: LabDisk, first: BackingLink, snapshot: string | null): BackingLink[] {
  const links = [first];
  for (let s = snapshot; s;) {
    const snap = vm.snapshots.find((x) => x.moref === s);
    if (!snap) break;
    const d = snap.disks[disk.key];
    if (d && d.fileName !== links[links.length - 1]!.fileName) links.push({ fileName: d.fileName, changeId: d.changeId });
    s = snap.parent;
  }
  return links;
}

export function liveChain(model: LabModelApi, vm: LabVm, disk: LabDisk): BackingLink[] {
  let current: BackingLink;
  try {
    current = model.currentDiskBacking(vm.moref, disk.key);
  } catch {
    current = { fileName: disk.baseFileName, changeId: null };
  }
  return chainFrom(vm, disk, current, vm.currentSnapshot);
}

export function snapshotChain(vm: LabVm, snap: LabSnapshot, disk: LabDisk): BackingLink[] {
  const d = snap.disks[disk.key];
  if (!d) return [];
  return chainFrom(vm, disk, { fileName: d.fileName, changeId: d.changeId }, snap.parent);
}

const snapshotNumber = (moref: string) => Number(/(\d+)$/.exec(moref)?.[1] ?? 0);

function snapshotTree(vm: LabVm, parent: string | null): DataObject[] {
  return vm.snapshots
    .filter((s) => s.parent === parent)
    .map((s) =>
      data("VirtualMachineSnapshotTree", {
        snapshot: mor("VirtualMachineSnapshot", s.moref),
        vm: mor("VirtualMachine", vm.moref),
        name: s.name,
        description: s.description,
        id: snapshotNumber(s.moref),
        createTime: s.createTime,
        state: s.powerState,
        quiesced: s.quiesced,
        childSnapshotList: snapshotTree(vm, s.moref),
        replaySupported: false,
      }),
    );
}

function toolsStatus(vm: LabVm) {
  const installed = vm.toolsInstalled !== false;
  return {
    toolsStatus: vm.toolsRunning ? "toolsOk" : installed ? "toolsNotRunning" : "toolsNotInstalled",
    toolsVersionStatus2: installed ? "guestToolsCurrent" : "guestToolsNotInstalled",
    toolsRunningStatus: vm.toolsRunning ? "guestToolsRunning" : "guestToolsNotRunning",
  };
}

export function vmGetters(
  model: LabModelApi,
  inv: LabInventory,
  vm: LabVm,
  ctx: {
    parent: MoRef;
    resourcePool: MoRef;
    environmentBrowser: MoRef;
    recentTask: () => MoRef[];
  },
): PropGetters {
  const datastores = () => {
    const names = new Set(vm.disks.map((d) => d.datastore));
    names.add(/^\[([^\]]+)\]/.exec(vm.vmPathName)?.[1] ?? "");
    return inv.datastores.filter((d) => names.has(d.name)).map((d) => mor("Datastore", d.moref));
  };
  const networks = () => {
    const names = new Set(vm.nics.map((n) => n.network));
    return inv.networks
      .filter((n) => names.has(n.name))
      .map((n) => mor(n.kind === "distributed" ? "DistributedVirtualPortgroup" : "Network", n.moref));
  };
  return {
    name: () => vm.name,
    parent: () => ctx.parent,
    resourcePool: () => ctx.resourcePool,
    environmentBrowser: () => ctx.environmentBrowser,
    overallStatus: () => "green",
    configStatus: () => "green",
    guestHeartbeatStatus: () => (vm.toolsRunning ? "green" : "gray"),
    recentTask: () => ctx.recentTask(),
    config: () => vmConfigInfo(vm, inv, (d) => liveChain(model, vm, d)),
    runtime: () => vmRuntime(vm),
    capability: () => vmCapability(vm),
    guest: () => vmGuestInfo(vm),
    summary: () => vmSummary(model, vm),
    datastore: datastores,
    network: networks,
    snapshot: () =>
      vm.snapshots.length === 0
        ? undefined
        : data("VirtualMachineSnapshotInfo", {
            currentSnapshot: vm.currentSnapshot ? mor("VirtualMachineSnapshot", vm.currentSnapshot) : undefined,
            rootSnapshotList: snapshotTree(vm, null),
          }),
    layoutEx: () => layoutEx(model, vm),
    rootSnapshot: () => vm.snapshots.filter((s) => s.parent === null).map((s) => mor("VirtualMachineSnapshot", s.moref)),
    ...entityDefaults(),
  };
}

function vmRuntime(vm: LabVm): DataObject {
  const on = vm.powerState === "poweredOn";
  return data("VirtualMachineRuntimeInfo", {
    host: mor("HostSystem", vm.host),
    connectionState: "connected",
    powerState: vm.powerState,
    faultToleranceState: "notConfigured",
    toolsInstallerMounted: false,
    maxCpuUsage: on ? 2400 * vm.numCPU : undefined,
    maxMemoryUsage: on ? vm.memoryMiB : undefined,
    numMksConnections: 0,
    recordReplayState: "inactive",
    onlineStandby: false,
    consolidationNeeded: vm.consolidationNeeded,
  });
}

function vmGuestInfo(vm: LabVm): DataObject {
  const tools = toolsStatus(vm);
  const on = vm.powerState === "poweredOn";
  return data("GuestInfo", {
    toolsStatus: tools.toolsStatus,
    toolsVersionStatus2: tools.toolsVersionStatus2,
    toolsRunningStatus: tools.toolsRunningStatus,
    toolsVersion: vm.toolsInstalled === false ? "0" : "11269",
    guestId: vm.toolsRunning ? vm.guestId : undefined,
    guestFullName: vm.toolsRunning ? vm.guestFullName : undefined,
    hostName: vm.toolsRunning ? vm.name : undefined,
    guestState: on ? "running" : "notRunning",
  });
}

function vmSummary(model: LabModelApi, vm: LabVm): DataObject {
  const tools = toolsStatus(vm);
  const on = vm.powerState === "poweredOn";
  return data("VirtualMachineSummary", {
    vm: mor("VirtualMachine", vm.moref),
    runtime: vmRuntime(vm),
    guest: data("VirtualMachineGuestSummary", {
      guestId: vm.guestId,
      guestFullName: vm.guestFullName,
      toolsStatus: tools.toolsStatus,
      toolsVersionStatus2: tools.toolsVersionStatus2,
      toolsRunningStatus: tools.toolsRunningStatus,
      hostName: vm.toolsRunning ? vm.name : undefined,
    }),
    config: data("VirtualMachineConfigSummary", {
      name: vm.name,
      template: false,
      vmPathName: vm.vmPathName,
      memorySizeMB: vm.memoryMiB,
      cpuReservation: 0,
      memoryReservation: 0,
      numCpu: vm.numCPU,
      numEthernetCards: vm.nics.length,
      numVirtualDisks: vm.disks.length,
      uuid: vm.uuid,
      instanceUuid: vm.instanceUuid,
      guestId: vm.guestId,
      guestFullName: vm.guestFullName,
      annotation: "",
      installBootRequired: false,
      tpmPresent: false,
    }),
    quickStats: data("VirtualMachineQuickStats", {
      overallCpuUsage: 0,
      guestMemoryUsage: 0,
      hostMemoryUsage: on ? vm.memoryMiB : 0,
      guestHeartbeatStatus: vm.toolsRunning ? "green" : "gray",
      uptimeSeconds: 0,
    }),
    storage: storageSummary(model, vm),
    overallStatus: "green",
  });
}

/** Space the VM's disks use on their datastores (thin disks: what is allocated). */
/** What the VM can do; change tracking needs virtual hardware 7 or later. */
function vmCapability(vm: LabVm): DataObject {
  const yes = [
    "snapshotOperationsSupported",
    "multipleSnapshotsSupported",
    "snapshotConfigSupported",
    "poweredOffSnapshotsSupported",
    "memorySnapshotsSupported",
    "revertToSnapshotSupported",
    "quiescedSnapshotsSupported",
    "consolePreferencesSupported",
    "cpuFeatureMaskSupported",
    "s1AcpiManagementSupported",
    "settingScreenResolutionSupported",
    "toolsAutoUpdateSupported",
    "swapPlacementSupported",
    "toolsSyncTimeSupported",
    "virtualMmuUsageSupported",
    "diskSharesSupported",
    "bootOptionsSupported",
    "bootRetryOptionsSupported",
    "settingVideoRamSizeSupported",
    "settingDisplayTopologySupported",
    "multipleCoresPerSocketSupported",
    "hostBasedReplicationSupported",
    "memoryReservationLockSupported",
    "featureRequirementSupported",
    "seSparseDiskSupported",
    "nestedHVSupported",
  ];
  const no = [
    "disableSnapshotsSupported",
    "lockSnapshotsSupported",
    "vmNpivWwnSupported",
    "npivWwnOnNonRdmVmSupported",
    "vmNpivWwnDisableSupported",
    "vmNpivWwnUpdateSupported",
    "recordReplaySupported",
    "guestAutoLockSupported",
    "poweredOnMonitorTypeChangeSupported",
    "vPMCSupported",
  ];
  return data("VirtualMachineCapability", {
    ...Object.fromEntries(yes.map((k) => [k, true])),
    ...Object.fromEntries(no.map((k) => [k, false])),
    changeTrackingSupported: hardwareVersion(vm) >= 7,
  });
}

function storageSummary(model: LabModelApi, vm: LabVm): DataObject {
  let committed = 0;
  let provisioned = 0;
  for (const d of vm.disks) {
    provisioned += d.capacityBytes;
    try {
      for (const f of model.diskFiles(vm.moref, d.key)) committed += f.allocatedBytes;
    } catch {
      // a disk the model cannot list counts as empty
    }
  }
  return data("VirtualMachineStorageSummary", {
    committed,
    uncommitted: Math.max(0, provisioned - committed),
    unshared: committed,
    timestamp: new Date().toISOString(),
  });
}

/** Files of the VM as vSphere lists them: config, nvram, each disk's chain (base first), snapshot data. */
function layoutEx(model: LabModelApi, vm: LabVm): DataObject {
  const files: DataObject[] = [];
  const file = (name: string, type: string, size: number) => {
    const key = files.length;
    files.push(data("VirtualMachineFileLayoutExFileInfo", { key, name, type, size, uniqueSize: size, accessible: true }));
    return key;
  };
  const dir = vm.vmPathName.replace(/\/[^/]*$/, "");
  file(vm.vmPathName, "config", 3072);
  file(`${dir}/${vm.name}.nvram`, "nvram", 8684);
  const chains = new Map<number, { snapshot: string | null; keys: number[] }[]>();
  for (const d of vm.disks) {
    let chain: LabDiskFile[] = [];
    try {
      chain = model.diskFiles(vm.moref, d.key);
    } catch {
      chain = [];
    }
    chains.set(
      d.key,
      chain.map((f) => ({
        snapshot: f.snapshot,
        keys: [file(f.descriptor, "diskDescriptor", 512), file(f.dataFile, "diskExtent", f.allocatedBytes)],
      })),
    );
  }
  const unit = (keys: number[]) => data("VirtualMachineFileLayoutExDiskUnit", { fileKey: keys });
  const snapshot = vm.snapshots.map((s) =>
    data("VirtualMachineFileLayoutExSnapshotLayout", {
      key: mor("VirtualMachineSnapshot", s.moref),
      dataKey: file(`${dir}/${vm.name}-Snapshot${snapshotNumber(s.moref)}.vmsn`, "snapshotData", 32768),
      memoryKey: -1,
      disk: vm.disks
        .filter((d) => s.disks[d.key] !== undefined)
        .map((d) => {
          // The chain as it was when the snapshot was taken: everything before the delta it started.
          const all = chains.get(d.key) ?? [];
          const end = all.findIndex((f) => f.snapshot === s.moref);
          return data("VirtualMachineFileLayoutExDiskLayout", {
            key: d.key,
            chain: (end < 0 ? all : all.slice(0, end)).map((f) => unit(f.keys)),
          });
        }),
    }),
  );
  return data("VirtualMachineFileLayoutEx", {
    file: files,
    disk: vm.disks.map((d) =>
      data("VirtualMachineFileLayoutExDiskLayout", { key: d.key, chain: (chains.get(d.key) ?? []).map((f) => unit(f.keys)) }),
    ),
    snapshot,
    timestamp: new Date().toISOString(),
  });
}

export function snapshotGetters(inv: LabInventory, vm: LabVm, snap: LabSnapshot): PropGetters {
  return {
    config: () => {
      // The configuration as frozen: disks report the backing and changeId of that instant.
      const frozen: LabVm = { ...vm, disks: vm.disks.filter((d) => snap.disks[d.key] !== undefined), powerState: snap.powerState };
      return vmConfigInfo(frozen, inv, (d) => snapshotChain(vm, snap, d));
    },
    childSnapshot: () => vm.snapshots.filter((s) => s.parent === snap.moref).map((s) => mor("VirtualMachineSnapshot", s.moref)),
    vm: () => mor("VirtualMachine", vm.moref),
    value: () => [],
    availableField: () => [],
  };
}

/** Properties every ManagedEntity reports with the same default values in the lab. */
export function entityDefaults(): PropGetters {
  return {
    alarmActionsEnabled: () => true,
    disabledMethod: () => [],
    effectiveRole: () => [-1],
    declaredAlarmState: () => [],
    triggeredAlarmState: () => [],
    customValue: () => [],
    value: () => [],
    availableField: () => [],
    tag: () => [],
  };
}
