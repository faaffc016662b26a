// The lab's machines. Each function returns a fresh VM (new uuids and MACs) for a scenario.
import { type LabVm } from "../model/types";
import { GiB, MiB, controller, vm } from "./builder";

/** Linux, BIOS, running with tools; two disks on two controllers and datastores; two NICs; a CD-ROM. */
export function web01(): LabVm {
  const pvscsi = controller("pvscsi");
  const sata = controller("sata");
  const ide = controller("ide");
  return vm({
    moref: "vm-101",
    name: "web01",
    guestId: "rhel8_64Guest",
    guestFullName: "Red Hat Enterprise Linux 8 (64-bit)",
    firmware: "bios",
    numCPU: 2,
    coresPerSocket: 1,
    memoryMiB: 2048,
    powerState: "poweredOn",
    toolsInstalled: true,
    host: "host-10",
    folder: "prod",
    datastore: "ds1",
    controllers: [pvscsi, sata, ide],
    disks: [
      { key: 2000, controller: pvscsi, unitNumber: 0, capacityBytes: 2 * GiB, datastore: "ds1", path: "web01/web01.vmdk" },
      { key: 16000, controller: sata, unitNumber: 0, capacityBytes: 1 * GiB, datastore: "ds2", path: "web01/web01_1.vmdk" },
    ],
    nics: [
      { model: "vmxnet3", network: "VM Network" },
      { model: "e1000", network: "dvpg-prod" },
    ],
    cdroms: [{ controller: ide, unitNumber: 0 }],
  });
}

/** Windows, UEFI with secure boot, NVMe disk, e1000e; fast startup on (preflight warns). */
export function win01(): LabVm {
  const nvme = controller("nvme");
  const sata = controller("sata");
  return vm({
    moref: "vm-102",
    name: "win01",
    guestId: "windows2019srv_64Guest",
    guestFullName: "Microsoft Windows Server 2019 (64-bit)",
    firmware: "efi",
    secureBoot: true,
    numCPU: 4,
    coresPerSocket: 2,
    memoryMiB: 4096,
    powerState: "poweredOn",
    toolsInstalled: true,
    host: "host-10",
    folder: "prod",
    datastore: "ds1",
    controllers: [nvme, sata],
    disks: [{ key: 2000, controller: nvme, unitNumber: 0, capacityBytes: 2 * GiB, datastore: "ds1", path: "win01/win01.vmdk" }],
    nics: [{ model: "e1000e", network: "VM Network" }],
    cdroms: [{ controller: sata, unitNumber: 0 }],
    guestHints: { windowsFastStartup: true },
  });
}

/** A VM preflight must refuse: an independent disk and a user snapshot taken before an upgrade. */
export function legacy01(): LabVm {
  const lsi = controller("lsilogic");
  return vm({
    moref: "vm-103",
    name: "legacy01",
    guestId: "centos7_64Guest",
    guestFullName: "CentOS 7 (64-bit)",
    firmware: "bios",
    numCPU: 1,
    coresPerSocket: 1,
    memoryMiB: 1024,
    powerState: "poweredOff",
    toolsInstalled: true,
    host: "host-10",
    folder: "",
    datastore: "ds1",
    controllers: [lsi],
    disks: [
      { key: 2000, controller: lsi, unitNumber: 0, capacityBytes: 1 * GiB, datastore: "ds1", path: "legacy01/legacy01.vmdk" },
      {
        key: 2001,
        controller: lsi,
        unitNumber: 1,
        capacityBytes: 1 * GiB,
        datastore: "ds1",
        path: "legacy01/legacy01_1.vmdk",
        diskMode: "independent_persistent",
      },
    ],
    nics: [{ model: "vmxnet3", network: "VM Network" }],
    cdroms: [],
  });
}

/** Boot disk size of boot01: holds a FAT partition with syslinux, a kernel and a busybox initramfs. */
export const BOOT01_DISK_BYTES = 128 * MiB;

/** A small running Linux VM whose disk really boots under QEMU to "V2K-BOOT-OK boot01" on ttyS0. */
export function boot01(): LabVm {
  const lsi = controller("lsilogic");
  return vm({
    moref: "vm-104",
    name: "boot01",
    guestId: "other5xLinux64Guest",
    guestFullName: "Other 5.x or later Linux (64-bit)",
    firmware: "bios",
    numCPU: 1,
    coresPerSocket: 1,
    memoryMiB: 512,
    powerState: "poweredOn",
    toolsInstalled: false,
    host: "host-10",
    folder: "",
    datastore: "ds1",
    controllers: [lsi],
    disks: [{ key: 2000, controller: lsi, unitNumber: 0, capacityBytes: BOOT01_DISK_BYTES, datastore: "ds1", path: "boot01/boot01.vmdk" }],
    nics: [{ model: "e1000", network: "VM Network" }],
    cdroms: [],
  });
}

/**
 * A real Debian 12 guest on a pvscsi controller whose initramfs knows only VMware's controllers
 * (no virtio): it boots on KVM only after conversion. Its disk is the cached linux01 image; guest
 * writes belong in the unpartitioned tail from LINUX01_SCRATCH_OFFSET, which the guest never reads.
 */
export function linux01(diskBytes: number): LabVm {
  const pvscsi = controller("pvscsi");
  return vm({
    moref: "vm-105",
    name: "linux01",
    guestId: "debian12_64Guest",
    guestFullName: "Debian GNU/Linux 12 (64-bit)",
    firmware: "bios",
    numCPU: 1,
    coresPerSocket: 1,
    memoryMiB: 1024,
    powerState: "poweredOn",
    toolsInstalled: true,
    host: "host-10",
    folder: "",
    datastore: "ds1",
    controllers: [pvscsi],
    disks: [{ key: 2000, controller: pvscsi, unitNumber: 0, capacityBytes: diskBytes, datastore: "ds1", path: "linux01/linux01.vmdk" }],
    nics: [{ model: "vmxnet3", network: "VM Network" }],
    cdroms: [],
  });
}

/**
 * Names an admin can give a VM that a tool must pass through untouched: spaces, shell metacharacters,
 * Korean and accented letters, a bare "..". One small running disk each; the datastore folder is plain,
 * as vSphere escapes such names in file paths.
 */
export const ODD_VM_NAMES = ["db 01 $(id>v2k-pwned) `id>v2k-pwned`;|&<>'\"*?", "데이터베이스 ü 01", ".."] as const;

export function oddNamed(index: number): LabVm {
  const lsi = controller("lsilogic");
  const dir = `odd${index}`;
  return vm({
    moref: `vm-${201 + index}`,
    name: ODD_VM_NAMES[index]!,
    guestId: "other5xLinux64Guest",
    guestFullName: "Other 5.x or later Linux (64-bit)",
    firmware: "bios",
    numCPU: 1,
    coresPerSocket: 1,
    memoryMiB: 256,
    powerState: "poweredOn",
    toolsInstalled: false,
    host: "host-10",
    folder: "",
    datastore: "ds1",
    controllers: [lsi],
    disks: [{ key: 2000, controller: lsi, unitNumber: 0, capacityBytes: 64 * MiB, datastore: "ds1", path: `${dir}/${dir}.vmdk` }],
    nics: [{ model: "e1000", network: "VM Network" }],
    cdroms: [],
  });
}

export const FLEET_VM_COUNT = 4;

/** fleetNN: a small Linux VM with two 128 MiB disks, one on ds1 and one on ds2 (several migrations at once). */
export function fleetVm(index: number): LabVm {
  const lsi = controller("lsilogic");
  const name = `fleet${String(index + 1).padStart(2, "0")}`;
  return vm({
    moref: `vm-${301 + index}`,
    name,
    guestId: "other5xLinux64Guest",
    guestFullName: "Other 5.x or later Linux (64-bit)",
    firmware: "bios",
    numCPU: 1,
    coresPerSocket: 1,
    memoryMiB: 256,
    powerState: "poweredOn",
    toolsInstalled: false,
    host: "host-10",
    folder: "",
    datastore: "ds1",
    controllers: [lsi],
    disks: [
      { key: 2000, controller: lsi, unitNumber: 0, capacityBytes: 128 * MiB, datastore: "ds1", path: `${name}/${name}.vmdk` },
      { key: 2001, controller: lsi, unitNumber: 1, capacityBytes: 128 * MiB, datastore: "ds2", path: `${name}/${name}_1.vmdk` },
    ],
    nics: [{ model: "vmxnet3", network: "VM Network" }],
    cdroms: [],
  });
}
