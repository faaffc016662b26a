// The lab's inventory and storage model: plain data plus the operations a vSphere host performs.
// The SOAP layer (src/lab/soap) maps these to vSphere objects; this layer knows nothing of SOAP.
// Contract between src/lab/model (state, disks, CBT, snapshots) and src/lab/soap (protocol).

export type PowerState = "poweredOn" | "poweredOff" | "suspended";
export type ControllerType = "pvscsi" | "lsilogic" | "lsilogic-sas" | "buslogic" | "sata" | "nvme" | "ide";
export type DiskMode = "persistent" | "independent_persistent" | "independent_nonpersistent";
export type NicModel = "vmxnet3" | "e1000" | "e1000e";

export interface LabController {
  key: number; // 1000+ scsi, 15000+ sata, 31000+ nvme, 200+ ide (vSphere conventions)
  type: ControllerType;
  busNumber: number;
  label: string;
}

export interface LabDisk {
  key: number; // 2000+
  label: string; // "Hard disk 1"
  controllerKey: number;
  unitNumber: number;
  capacityBytes: number;
  datastore: string; // datastore name
  /** Base descriptor as vSphere shows it: "[ds1] web01/web01.vmdk"; its data is "<dir>/<name>-flat.vmdk". */
  baseFileName: string;
  thin: boolean;
  diskMode: DiskMode;
  uuid: string; // backing uuid "6000C29x-..."
  sharing: "sharingNone" | "sharingMultiWriter";
  rdm: "none" | "physical" | "virtual";
}

export interface LabNic {
  key: number; // 4000+
  label: string;
  model: NicModel;
  mac: string;
  network: string; // port group name (standard or distributed)
}

export interface LabCdrom {
  key: number; // 3000+
  controllerKey: number;
  unitNumber: number;
}

export interface LabSnapshot {
  moref: string; // "snapshot-N"
  name: string;
  description: string;
  createTime: string; // ISO
  powerState: PowerState; // VM power state when taken
  quiesced: boolean;
  memory: boolean;
  parent: string | null; // parent snapshot moref
  /** Per disk key: the disk's state frozen in this snapshot (what the snapshot's config reports). */
  disks: Record<number, { fileName: string; changeId: string | null }>;
}

export interface LabVm {
  moref: string; // "vm-N"
  name: string;
  uuid: string; // config.uuid (BIOS uuid)
  instanceUuid: string;
  guestId: string; // e.g. "rhel8_64Guest", "windows2019srv_64Guest"
  guestFullName: string;
  firmware: "bios" | "efi";
  secureBoot: boolean;
  numCPU: number;
  coresPerSocket: number;
  memoryMiB: number;
  powerState: PowerState;
  toolsRunning: boolean; // guest tools running while powered on (ShutdownGuest needs it)
  toolsInstalled: boolean; // tools start with the guest at power-on when installed
  changeTrackingEnabled: boolean; // config flag
  hardwareVersion?: number; // virtual hardware version (vmx-N, default 14); CBT needs 7 or later
  host: string; // host moref
  folder: string; // vm folder path below the datacenter's vmFolder, "" for the root
  vmPathName: string; // "[ds1] web01/web01.vmx"
  controllers: LabController[];
  disks: LabDisk[];
  nics: LabNic[];
  cdroms: LabCdrom[];
  snapshots: LabSnapshot[]; // flat list; tree via parent
  currentSnapshot: string | null;
  consolidationNeeded: boolean;
  /** extraConfig set through reconfigure (beside the entries the lab derives from the VM). */
  extraConfig?: Record<string, string>;
  /** Guest OS settings the preflight warns about (read from extraConfig "guestinfo.*" in the lab). */
  guestHints: { windowsFastStartup?: boolean; hibernation?: boolean };
}

export interface LabDatastore {
  moref: string; // "datastore-N"
  name: string;
  capacityBytes: number;
  freeBytes: number;
  type: "VMFS" | "NFS" | "vsan";
}

export interface LabNetwork {
  moref: string; // "network-N" or "dvportgroup-N"
  name: string;
  kind: "standard" | "distributed";
  dvsName?: string;
}

export interface LabHost {
  moref: string; // "host-N"
  name: string;
  version: string; // ESXi version, e.g. "7.0.3"
  build: string;
}

export interface LabInventory {
  /** folder: path of folders between the root folder and the datacenter ("" or absent: directly in the root). */
  datacenter: { moref: string; name: string; folder?: string };
  cluster: { moref: string; name: string };
  hosts: LabHost[];
  datastores: LabDatastore[];
  networks: LabNetwork[];
  vms: LabVm[];
}

/** A host-side refusal; the SOAP layer turns it into the named vSphere fault. */
export class LabFault extends Error {
  constructor(
    readonly fault:
      | "InvalidArgument"
      | "InvalidState"
      | "InvalidPowerState"
      | "FileFault"
      | "NotFound"
      | "ManagedObjectNotFound"
      | "ToolsUnavailable"
      | "SnapshotFault"
      | "TaskInProgress"
      | "GenericVmConfigFault"
      | "NotSupported",
    message: string,
    readonly detail: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ChangedAreas {
  startOffset: number;
  length: number;
  changedArea: { start: number; length: number }[];
}

/** A readable view of a datastore file (for /folder HTTP access). */
export interface DatastoreFile {
  size: number;
  /** Reads [start, end) — end exclusive. Throws LabFault("FileFault") for injected read errors. */
  read(start: number, end: number): Promise<Buffer>;
  /** For a disk's data file: the local file holding its bytes at their offsets (zeros past its end) and the
   * "[ds] path" name read errors give, so that another process can serve the same bytes. */
  local?: { path: string; name: string };
}

/** A file a datastore holds (datastore browser listing); paths relative to the datastore root. */
export interface DatastoreEntry {
  path: string;
  size: number;
  modified: string;
  /** For disk descriptors: the disk it describes and its data file. */
  disk?: { capacityBytes: number; thin: boolean; controller: ControllerType | undefined; extent: string };
  /** True for a disk's data file (listed under its descriptor by a VmDiskFileQuery). */
  extent?: boolean;
}

/** The "next N" faults that count down as they strike. */
export type CountedFault = "malformedReplies" | "absurdExtents" | "connectionResets";

/** Faults an admin or a test injects (`lab fault`). The SOAP layer consults the session/slow ones. */
export interface LabFaults {
  /** Fail the next task of this kind ("CreateSnapshot", "RemoveSnapshot", "Reconfig", "PowerOn", ...) with this message. */
  failNextTask: Record<string, string>;
  /** Milliseconds added to every SOAP response. */
  slowMs: number;
  /** Number of upcoming datastore reads that fail. */
  datastoreReadErrors: number;
  /** When set, sessions created before this ISO time are treated as expired (NotAuthenticated). */
  sessionsExpiredBefore: string | null;
  /** Most extents one QueryChangedDiskAreas reply holds (2000 like real hosts; lower it to force paging). */
  qcdaPageSize: number;
  /** QueryChangedDiskAreas answers MethodNotFound, as on a host without the vStorage APIs. */
  qcdaUnsupported?: boolean;
  /** The next task of this kind ("RemoveSnapshot", ...) stays running this many ms before it does its work. */
  slowNextTask?: Record<string, number>;
  /** Number of upcoming SOAP replies cut off mid-document (a proxy or a crashing vpxd). */
  malformedReplies?: number;
  /** Number of upcoming QueryChangedDiskAreas replies holding an extent that ends far beyond the disk. */
  absurdExtents?: number;
  /** Number of upcoming datastore GET responses whose connection is reset (TCP RST) mid-body. */
  connectionResets?: number;
  /** An outage of this many ms that starts at the next datastore GET (then connectionResetsUntil is set). */
  connectionResetOutageMs?: number;
  /** Until this ISO time every datastore GET is reset (an outage longer than one connection). */
  connectionResetsUntil?: string | null;
  /** Body bytes a reset response sends before the reset (default 0: right after the headers). */
  connectionResetAfterBytes?: number;
}

export interface ReconfigureSpec {
  changeTrackingEnabled?: boolean;
  /** extraConfig entries to set; an empty value removes the key (as vSphere does). */
  extraConfig?: { key: string; value: string }[];
  /** New capacities, by disk key (VirtualDeviceConfigSpec edit of capacityInBytes). */
  disks?: { key: number; capacityBytes: number }[];
}

/** One file of a disk's chain as a datastore browser / layoutEx shows it. */
export interface LabDiskFile {
  /** "[ds] web01/web01-000001.vmdk" */
  descriptor: string;
  /** "[ds] web01/web01-000001-delta.vmdk" or "[ds] web01/web01-flat.vmdk" */
  dataFile: string;
  /** Snapshot whose creation started this delta (null: base, or a delta awaiting consolidation). */
  snapshot: string | null;
  /** Bytes allocated in the data file. */
  allocatedBytes: number;
}

/** Operations of the lab host. Mutations persist to the lab dir before they resolve. */
export interface LabModelApi {
  inventory(): LabInventory;
  vm(moref: string): LabVm; // throws LabFault("ManagedObjectNotFound")
  faults(): LabFaults;
  /** Counts down a "next N replies" fault (malformed-reply, absurd-extents); true when this reply is spoilt. */
  takeCountedFault(kind: CountedFault): Promise<boolean>;
  /** Milliseconds the task of this method ("RemoveSnapshot_Task") is to stay running first (slow-task fault), once. */
  takeTaskDelay(method: string): Promise<number>;
  setFaults(patch: Partial<LabFaults>): Promise<void>;

  /** CBT on/off, and disk extension (grow only; refused while the VM has snapshots, as on vSphere). */
  reconfigure(vm: string, spec: ReconfigureSpec): Promise<void>;
  powerOn(vm: string): Promise<void>; // a stun: activates CBT
  powerOff(vm: string): Promise<void>;
  /** Returns at once; the guest powers off shortly after (ToolsUnavailable without tools). */
  shutdownGuest(vm: string): Promise<void>;
  createSnapshot(vm: string, opts: { name: string; description: string; memory: boolean; quiesce: boolean }): Promise<string>;
  removeSnapshot(snapshot: string, opts: { removeChildren: boolean; consolidate: boolean }): Promise<void>;
  /** Content, power state and current snapshot go back to the snapshot; CBT starts a new epoch. */
  revertToSnapshot(snapshot: string, opts: { suppressPowerOn: boolean }): Promise<void>;
  /** The disk's current backing as the VM config reports it (delta file name and changeId). */
  currentDiskBacking(vm: string, diskKey: number): { fileName: string; changeId: string | null };
  queryChangedDiskAreas(vm: string, snapshot: string | null, diskKey: number, startOffset: number, changeId: string): Promise<ChangedAreas>;
  /** "[ds] path" or (dsName, path) of any disk file the model holds (flat and delta files). */
  openDatastoreFile(datastore: string, path: string): DatastoreFile; // throws LabFault("NotFound")
  /** Every file of a datastore that openDatastoreFile serves (disk descriptors and data files). */
  datastoreFiles(datastore: string): DatastoreEntry[];

  // guest simulation and checks (driven by `lab write` / `lab disk-hash` / `lab fault`)
  guestWrite(vm: string, diskIndexOrKey: number, offset: number, length: number, seed: number): Promise<void>;
  diskHash(vm: string, diskIndexOrKey: number, snapshot: string | null): Promise<string>; // sha256 hex
  cbtReset(vm: string): Promise<void>; // new epoch, as after a host crash
  setHardwareVersion(vm: string, version: number): Promise<void>;

  /** A VM by moref or by name (CLI and control API convenience); throws LabFault("ManagedObjectNotFound"). */
  findVm(nameOrMoref: string): LabVm;
  /** The VM owning a snapshot moref; throws LabFault("ManagedObjectNotFound"). */
  snapshotOwner(snapshot: string): LabVm;
  /** Merges every delta no snapshot needs any more (ConsolidateVMDisks_Task); clears consolidationNeeded. */
  consolidateDisks(vm: string): Promise<void>;
  /** A disk's chain, base first; the last entry is the running point. */
  diskFiles(vm: string, diskKey: number): LabDiskFile[];
}
