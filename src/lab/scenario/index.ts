// Scenario registry: `lab start --scenario NAME` picks one of these for a fresh lab dir.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { type LabModel } from "../model/lab-model";
import { MiB, labSite } from "./builder";
import { BOOT01_DISK_BYTES, FLEET_VM_COUNT, ODD_VM_NAMES, boot01, fleetVm, legacy01, linux01, oddNamed, web01, win01 } from "./machines";
import { LINUX01_DISK_BYTES, linux01ImagePath, linux01ImageReady } from "../guest-image/linux01";
import { buildBootDisk, bootMarker } from "../bootdisk/build";
import { type Scenario } from "./types";
import { type LabVm } from "../model/types";

export type { Scenario } from "./types";

/** A few MiB of guest data in places a copy must find (start, middle, near the end). */
async function fillWeb01(model: LabModel): Promise<void> {
  await model.seedDisk("vm-101", 0, 0, 1 * MiB, 11);
  await model.seedDisk("vm-101", 0, 64 * MiB, 4 * MiB, 12);
  await model.seedDisk("vm-101", 0, 1536 * MiB + 12345, 2 * MiB, 13);
  await model.seedDisk("vm-101", 1, 0, 2 * MiB, 21);
  await model.seedDisk("vm-101", 1, 1024 * MiB - 1 * MiB, 1 * MiB, 22);
}

/** boot01's disk: a real boot image built from the host's packages, copied in thin. */
async function setupBoot01(model: LabModel, workDir: string): Promise<void> {
  const image = join(workDir, "boot01.img");
  await buildBootDisk({ outPath: image, workDir, diskBytes: BOOT01_DISK_BYTES, marker: bootMarker("boot01") });
  try {
    await model.importImage("vm-104", 0, image);
  } finally {
    await rm(image, { force: true });
  }
}

/** linux01 joins when its image is built (`lab build-images`); the lab never pays that build itself. */
function linux01IfBuilt(): LabVm[] {
  if (linux01ImageReady()) return [linux01(LINUX01_DISK_BYTES)];
  process.stderr.write(`lab: linux01 left out: its image ${linux01ImagePath()} is not built (run 'ablestack_v2k lab build-images')\n`);
  return [];
}

const defaultScenario: Scenario = {
  name: "default",
  summary:
    "web01 (Linux, 2 disks, 2 NICs), win01 (UEFI, NVMe), legacy01 (independent disk, user snapshot), boot01 (boots in QEMU), " +
    "linux01 (Debian 12 for VMware hardware, when built)",
  inventory: () => labSite([web01(), win01(), legacy01(), boot01(), ...linux01IfBuilt()]),
  async setup(model, { workDir }) {
    await fillWeb01(model);
    await model.seedDisk("vm-102", 0, 0, 2 * MiB, 31);
    await model.seedDisk("vm-102", 0, 700 * MiB, 1 * MiB, 32);
    await model.seedDisk("vm-103", 0, 0, 1 * MiB, 41);
    await model.seedDisk("vm-103", 1, 0, 1 * MiB, 42);
    await model.createSnapshot("vm-103", {
      name: "before-upgrade",
      description: "taken by the admin before a guest upgrade",
      memory: false,
      quiesce: false,
    });
    await model.seedDisk("vm-103", 0, 8 * MiB, 1 * MiB, 43); // the "upgrade": lands in the snapshot's delta
    await setupBoot01(model, workDir);
    if (model.inventory().vms.some((v) => v.name === "linux01")) await model.importImage("vm-105", 0, linux01ImagePath());
  },
};

const minimalScenario: Scenario = {
  name: "minimal",
  summary: "web01 and boot01 only (fast tests)",
  inventory: () => labSite([web01(), boot01()]),
  async setup(model, { workDir }) {
    await fillWeb01(model);
    await setupBoot01(model, workDir);
  },
};

const namesScenario: Scenario = {
  name: "names",
  summary: "web01 and three small VMs whose names hold spaces, shell metacharacters, Korean letters and '..'",
  inventory: () => labSite([web01(), ...ODD_VM_NAMES.map((_n, i) => oddNamed(i))]),
  async setup(model) {
    await fillWeb01(model);
    for (let i = 0; i < ODD_VM_NAMES.length; i++) {
      await model.seedDisk(`vm-${201 + i}`, 0, 0, 1 * MiB, 50 + i);
      await model.seedDisk(`vm-${201 + i}`, 0, 40 * MiB, 2 * MiB, 60 + i);
    }
  },
};

const fleetScenario: Scenario = {
  name: "fleet",
  summary: "fleet01..fleet04: four small VMs with a disk on ds1 and one on ds2 (several migrations on one host)",
  inventory: () => labSite(Array.from({ length: FLEET_VM_COUNT }, (_x, i) => fleetVm(i))),
  async setup(model) {
    for (let i = 0; i < FLEET_VM_COUNT; i++) {
      for (const disk of [0, 1]) {
        await model.seedDisk(`vm-${301 + i}`, disk, 0, 8 * MiB, 70 + 10 * i + disk);
        await model.seedDisk(`vm-${301 + i}`, disk, 96 * MiB, 8 * MiB, 75 + 10 * i + disk);
      }
    }
  },
};

export const scenarios: Scenario[] = [defaultScenario, minimalScenario, namesScenario, fleetScenario];

export function scenarioByName(name: string): Scenario {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new V2kError("USAGE", `unknown lab scenario '${name}'`, `Pick one of: ${scenarios.map((x) => x.name).join(", ")}.`);
  return s;
}
