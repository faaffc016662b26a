// Disk extension (ReconfigVM with a larger capacityInBytes), with the host's refusals: no shrinking,
// sector multiples only, not while snapshots (deltas) exist.
import { type ModelCore } from "./model-core";
import { LabFault, type LabVm } from "./types";

export async function growDisk(core: ModelCore, vm: LabVm, diskKey: number, capacityBytes: number): Promise<void> {
  const disk = vm.disks.find((d) => d.key === diskKey);
  if (!disk)
    throw new LabFault("InvalidArgument", `A specified parameter was not correct: deviceChange.device.key ${diskKey}`, {
      invalidProperty: "deviceChange.device.key",
    });
  if (capacityBytes === disk.capacityBytes) return;
  if (!Number.isSafeInteger(capacityBytes) || capacityBytes % 512 !== 0 || capacityBytes < disk.capacityBytes) {
    throw new LabFault(
      "InvalidArgument",
      `A specified parameter was not correct: capacityInBytes (disks can only grow, in 512-byte multiples)`,
      { invalidProperty: "deviceChange.device.capacityInBytes" },
    );
  }
  const chain = core.chain(vm.moref, disk.key);
  if (chain.length > 1) {
    throw new LabFault("InvalidState", `Cannot extend ${disk.label}: the virtual machine has snapshots or disks awaiting consolidation.`);
  }
  await chain.grow(capacityBytes);
  await core.tracker(vm.moref, disk.key).grow(capacityBytes);
  disk.capacityBytes = capacityBytes;
}
