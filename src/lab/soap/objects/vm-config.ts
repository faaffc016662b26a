// VirtualMachineConfigInfo for a lab VM (live, or frozen in a snapshot): hardware devices with the
// backings vSphere reports (delta chains through `parent`, changeIds), firmware, extraConfig hints.
import { type LabController, type LabDisk, type LabInventory, type LabVm } from "../../model/types";
import { type DataObject, data, mor } from "../codec/values";
import { dvsUuid } from "./ids";

/** One file of a disk's chain, newest first; changeId as that layer reports it. */
export interface BackingLink {
  fileName: string;
  changeId: string | null;
}

const controllerTypes: Record<LabController["type"], string> = {
  pvscsi: "ParaVirtualSCSIController",
  lsilogic: "VirtualLsiLogicController",
  "lsilogic-sas": "VirtualLsiLogicSASController",
  buslogic: "VirtualBusLogicController",
  sata: "VirtualAHCIController",
  nvme: "VirtualNVMEController",
  ide: "VirtualIDEController",
};

const nicTypes = { vmxnet3: "VirtualVmxnet3", e1000: "VirtualE1000", e1000e: "VirtualE1000e" } as const;

const describe = (label: string, summary: string) => data("Description", { label, summary });
const pciSlot = (n: number) => data("VirtualDevicePciBusSlotInfo", { pciSlotNumber: n });

function datastoreRef(inv: LabInventory, name: string) {
  const ds = inv.datastores.find((d) => d.name === name);
  return ds ? mor("Datastore", ds.moref) : undefined;
}

/** The dsName of a "[ds] path" file name. */
export function datastoreOf(fileName: string): string {
  return /^\[([^\]]+)\]/.exec(fileName)?.[1] ?? "";
}

function flatBacking(inv: LabInventory, disk: LabDisk, chain: BackingLink[]): DataObject | undefined {
  const [link, ...rest] = chain;
  if (!link) return undefined;
  const isDelta = rest.length > 0;
  return data("VirtualDiskFlatVer2BackingInfo", {
    fileName: link.fileName,
    datastore: datastoreRef(inv, datastoreOf(link.fileName) || disk.datastore),
    diskMode: disk.diskMode,
    split: false,
    writeThrough: false,
    thinProvisioned: disk.thin,
    eagerlyScrub: disk.thin ? undefined : false,
    uuid: disk.uuid,
    changeId: link.changeId ?? undefined,
    parent: isDelta ? flatBacking(inv, disk, rest) : undefined,
    deltaDiskFormat: isDelta ? "redoLogFormat" : undefined,
    digestEnabled: false,
    sharing: disk.sharing,
  });
}

function rdmBacking(inv: LabInventory, disk: LabDisk, chain: BackingLink[]): DataObject {
  const link = chain[0] ?? { fileName: disk.baseFileName, changeId: null };
  const lun = `02000000006000c29${disk.uuid
    .replace(/[^0-9a-f]/gi, "")
    .slice(0, 23)
    .toLowerCase()}566972747561`;
  return data("VirtualDiskRawDiskMappingVer1BackingInfo", {
    fileName: link.fileName,
    datastore: datastoreRef(inv, disk.datastore),
    lunUuid: lun,
    deviceName: `vml.${lun}`,
    compatibilityMode: disk.rdm === "physical" ? "physicalMode" : "virtualMode",
    diskMode: disk.diskMode,
    uuid: disk.uuid,
    changeId: link.changeId ?? undefined,
    sharing: disk.sharing,
  });
}

function kb(bytes: number): string {
  return `${Math.floor(bytes / 1024).toLocaleString("en-US")} KB`;
}

/** Devices every VMware VM has besides the ones the model describes. */
function standardDevices(usedKeys: Set<number>): DataObject[] {
  const out: DataObject[] = [];
  for (const bus of [0, 1]) {
    const key = 200 + bus;
    if (!usedKeys.has(key))
      out.push(data("VirtualIDEController", { key, deviceInfo: describe(`IDE ${bus}`, `IDE ${bus}`), busNumber: bus, device: [] }));
  }
  out.push(
    data("VirtualPS2Controller", {
      key: 300,
      deviceInfo: describe("PS2 controller 0", "PS2 controller 0"),
      busNumber: 0,
      device: [600, 700],
    }),
    data("VirtualPCIController", { key: 100, deviceInfo: describe("PCI controller 0", "PCI controller 0"), busNumber: 0, device: [] }),
    data("VirtualSIOController", { key: 400, deviceInfo: describe("SIO controller 0", "SIO controller 0"), busNumber: 0, device: [] }),
    data("VirtualKeyboard", { key: 600, deviceInfo: describe("Keyboard ", "Keyboard"), controllerKey: 300, unitNumber: 0 }),
    data("VirtualPointingDevice", {
      key: 700,
      deviceInfo: describe("Pointing device", "Pointing device; Device"),
      backing: data("VirtualPointingDeviceDeviceBackingInfo", { deviceName: "", useAutoDetect: false, hostPointingDevice: "autodetect" }),
      controllerKey: 300,
      unitNumber: 1,
    }),
    data("VirtualMachineVideoCard", {
      key: 500,
      deviceInfo: describe("Video card ", "Video card"),
      controllerKey: 100,
      unitNumber: 0,
      videoRamSizeInKB: 4096,
      numDisplays: 1,
      useAutoDetect: false,
      enable3DSupport: false,
      use3dRenderer: "automatic",
      graphicsMemorySizeInKB: 262144,
    }),
    data("VirtualMachineVMCIDevice", {
      key: 12000,
      deviceInfo: describe(
        "VMCI device",
        "Device on the virtual machine PCI bus that provides support for the virtual machine communication interface",
      ),
      slotInfo: pciSlot(33),
      controllerKey: 100,
      unitNumber: 17,
      id: 1754519528,
      allowUnrestrictedCommunication: false,
      filterEnable: true,
    }),
  );
  return out;
}

export function vmDevices(vm: LabVm, inv: LabInventory, chainOf: (disk: LabDisk) => BackingLink[]): DataObject[] {
  const attached = new Map<number, number[]>();
  const attach = (ctrl: number, key: number) => attached.set(ctrl, [...(attached.get(ctrl) ?? []), key]);
  for (const d of vm.disks) attach(d.controllerKey, d.key);
  for (const c of vm.cdroms) attach(c.controllerKey, c.key);

  const devices: DataObject[] = standardDevices(new Set(vm.controllers.map((c) => c.key)));
  vm.controllers.forEach((c, i) => {
    const type = controllerTypes[c.type];
    const common = { key: c.key, deviceInfo: describe(c.label, c.label), busNumber: c.busNumber, device: attached.get(c.key) ?? [] };
    if (c.type === "ide") devices.push(data(type, common));
    else if (c.type === "sata" || c.type === "nvme") devices.push(data(type, { ...common, controllerKey: 100, unitNumber: 24 + i }));
    else
      devices.push(
        data(type, {
          ...common,
          slotInfo: pciSlot(160 + 32 * i),
          controllerKey: 100,
          unitNumber: 3 + i,
          hotAddRemove: true,
          sharedBus: "noSharing",
          scsiCtlrUnitNumber: 7,
        }),
      );
  });
  for (const disk of vm.disks) {
    const chain = chainOf(disk);
    devices.push(
      data("VirtualDisk", {
        key: disk.key,
        deviceInfo: describe(disk.label, kb(disk.capacityBytes)),
        backing: disk.rdm === "none" ? flatBacking(inv, disk, chain) : rdmBacking(inv, disk, chain),
        controllerKey: disk.controllerKey,
        unitNumber: disk.unitNumber,
        capacityInKB: Math.floor(disk.capacityBytes / 1024),
        capacityInBytes: disk.capacityBytes,
        shares: data("SharesInfo", { shares: 1000, level: "normal" }),
      }),
    );
  }
  vm.cdroms.forEach((c, i) => {
    devices.push(
      data("VirtualCdrom", {
        key: c.key,
        deviceInfo: describe(`CD/DVD drive ${i + 1}`, "Remote device"),
        backing: data("VirtualCdromRemotePassthroughBackingInfo", { deviceName: "", useAutoDetect: false, exclusive: false }),
        connectable: data("VirtualDeviceConnectInfo", {
          startConnected: false,
          allowGuestControl: true,
          connected: false,
          status: "untried",
        }),
        controllerKey: c.controllerKey,
        unitNumber: c.unitNumber,
      }),
    );
  });
  vm.nics.forEach((n, i) => {
    const net = inv.networks.find((x) => x.name === n.network);
    const backing =
      net?.kind === "distributed"
        ? data("VirtualEthernetCardDistributedVirtualPortBackingInfo", {
            port: data("DistributedVirtualSwitchPortConnection", {
              switchUuid: dvsUuid(net.dvsName ?? "dvSwitch"),
              portgroupKey: net.moref,
              portKey: String(i),
            }),
          })
        : data("VirtualEthernetCardNetworkBackingInfo", {
            deviceName: n.network,
            useAutoDetect: false,
            network: net ? mor("Network", net.moref) : undefined,
          });
    devices.push(
      data(nicTypes[n.model], {
        key: n.key,
        deviceInfo: describe(n.label, net?.kind === "distributed" ? `DVSwitch: ${dvsUuid(net.dvsName ?? "dvSwitch")}` : n.network),
        backing,
        connectable: data("VirtualDeviceConnectInfo", {
          migrateConnect: "unset",
          startConnected: true,
          allowGuestControl: true,
          connected: vm.powerState === "poweredOn",
          status: "ok",
        }),
        slotInfo: pciSlot(192 + 32 * i),
        controllerKey: 100,
        unitNumber: 7 + i,
        addressType: "assigned",
        macAddress: n.mac,
        wakeOnLanEnabled: true,
        uptCompatibilityEnabled: n.model === "vmxnet3" ? true : undefined,
      }),
    );
  });
  return devices;
}

function extraConfig(vm: LabVm): DataObject[] {
  const opt = (key: string, value: string) => data("OptionValue", { key, value });
  const out = [
    opt("nvram", `${vm.name}.nvram`),
    opt("svga.present", "TRUE"),
    opt("pciBridge0.present", "TRUE"),
    opt("tools.guest.desktop.autolock", "FALSE"),
    opt("ctkEnabled", vm.changeTrackingEnabled ? "TRUE" : "FALSE"),
  ];
  for (const d of vm.disks) {
    const ctrl = vm.controllers.find((c) => c.key === d.controllerKey);
    if (!ctrl) continue;
    const prefix = { pvscsi: "scsi", lsilogic: "scsi", "lsilogic-sas": "scsi", buslogic: "scsi", sata: "sata", nvme: "nvme", ide: "ide" }[
      ctrl.type
    ];
    out.push(opt(`${prefix}${ctrl.busNumber}:${d.unitNumber}.ctkEnabled`, vm.changeTrackingEnabled ? "TRUE" : "FALSE"));
  }
  if (vm.guestHints.windowsFastStartup !== undefined)
    out.push(opt("guestinfo.windows.fastStartup", vm.guestHints.windowsFastStartup ? "TRUE" : "FALSE"));
  if (vm.guestHints.hibernation !== undefined) out.push(opt("guestinfo.windows.hibernation", vm.guestHints.hibernation ? "TRUE" : "FALSE"));
  // Entries set through reconfigure replace derived ones with the same key.
  const set = vm.extraConfig ?? {};
  return [...out.filter((o) => !(String(o["key"]) in set)), ...Object.entries(set).map(([k, v]) => opt(k, v))];
}

export function vmConfigInfo(vm: LabVm, inv: LabInventory, chainOf: (disk: LabDisk) => BackingLink[]): DataObject {
  const dir = vm.vmPathName.replace(/\/[^/]*$/, "");
  const alloc = (shares: number) =>
    data("ResourceAllocationInfo", {
      reservation: 0,
      expandableReservation: false,
      limit: -1,
      shares: data("SharesInfo", { shares, level: "normal" }),
    });
  const dsNames = [...new Set(vm.disks.map((d) => d.datastore))];
  return data("VirtualMachineConfigInfo", {
    changeVersion: "2026-01-01T00:00:00.000000Z",
    modified: "1970-01-01T00:00:00Z",
    name: vm.name,
    guestFullName: vm.guestFullName,
    version: `vmx-${hardwareVersion(vm)}`,
    uuid: vm.uuid,
    instanceUuid: vm.instanceUuid,
    npivTemporaryDisabled: true,
    template: false,
    guestId: vm.guestId,
    alternateGuestName: "",
    annotation: "",
    files: data("VirtualMachineFileInfo", { vmPathName: vm.vmPathName, snapshotDirectory: dir, suspendDirectory: dir, logDirectory: dir }),
    tools: data("ToolsConfigInfo", {
      toolsVersion: vm.toolsInstalled === false ? 0 : 11269,
      afterPowerOn: true,
      afterResume: true,
      beforeGuestStandby: true,
      beforeGuestShutdown: true,
      toolsUpgradePolicy: "manual",
      syncTimeWithHost: false,
    }),
    flags: data("VirtualMachineFlagInfo", {
      disableAcceleration: false,
      enableLogging: true,
      useToe: false,
      runWithDebugInfo: false,
      monitorType: "release",
      htSharing: "any",
      snapshotDisabled: false,
      snapshotLocked: false,
      diskUuidEnabled: false,
      virtualMmuUsage: "automatic",
      virtualExecUsage: "hvAuto",
      snapshotPowerOffBehavior: "powerOff",
      recordReplayEnabled: false,
      faultToleranceType: "unset",
    }),
    defaultPowerOps: data("VirtualMachineDefaultPowerOpInfo", {
      powerOffType: "soft",
      suspendType: "hard",
      resetType: "soft",
      defaultPowerOffType: "soft",
      defaultSuspendType: "hard",
      defaultResetType: "soft",
      standbyAction: "checkpoint",
    }),
    hardware: data("VirtualHardware", {
      numCPU: vm.numCPU,
      numCoresPerSocket: vm.coresPerSocket,
      memoryMB: vm.memoryMiB,
      virtualICH7MPresent: false,
      virtualSMCPresent: false,
      device: vmDevices(vm, inv, chainOf),
    }),
    cpuAllocation: alloc(1000 * vm.numCPU),
    memoryAllocation: alloc(10 * vm.memoryMiB),
    memoryHotAddEnabled: false,
    cpuHotAddEnabled: false,
    cpuHotRemoveEnabled: false,
    extraConfig: extraConfig(vm),
    datastoreUrl: dsNames.map((name) => data("VirtualMachineConfigInfoDatastoreUrlPair", { name, url: `/vmfs/volumes/${name}` })),
    swapPlacement: "inherit",
    bootOptions: data("VirtualMachineBootOptions", {
      bootDelay: 0,
      enterBIOSSetup: false,
      efiSecureBootEnabled: vm.firmware === "efi" ? vm.secureBoot : false,
      bootRetryEnabled: false,
      bootRetryDelay: 10000,
      networkBootProtocol: "ipv4",
    }),
    vAssertsEnabled: false,
    changeTrackingEnabled: vm.changeTrackingEnabled,
    firmware: vm.firmware,
    maxMksConnections: 40,
    guestAutoLockEnabled: false,
    memoryReservationLockedToMax: false,
    nestedHVEnabled: false,
    vPMCEnabled: false,
    messageBusTunnelEnabled: false,
    migrateEncryption: "opportunistic",
  });
}

/** The VM's virtual hardware version (vmx-14 unless the scenario or `lab fault cbt-unsupported` lowers it). */
export function hardwareVersion(vm: LabVm): number {
  return vm.hardwareVersion ?? 14;
}
