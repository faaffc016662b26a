// QueryChangedDiskAreas with the checks and faults of an ESXi host, paged like real hosts reply.
import { parseChangeId } from "./change-id";
import { changedAreasPage } from "./grain-map";
import { type ModelCore } from "./model-core";
import { LabFault, type ChangedAreas, type LabVm } from "./types";

export function changedAreasQuery(
  core: ModelCore,
  vm: LabVm,
  snapshot: string | null,
  diskKey: number,
  startOffset: number,
  changeId: string,
): ChangedAreas {
  const disk = vm.disks.find((d) => d.key === diskKey);
  if (!disk) throw new LabFault("InvalidArgument", `A specified parameter was not correct: deviceKey`, { invalidProperty: "deviceKey" });
  let depth = core.chain(vm.moref, diskKey).length;
  let snapshotSeq: number | undefined;
  let snapshotEpoch: string | undefined;
  if (snapshot !== null) {
    const snap = vm.snapshots.find((s) => s.moref === snapshot);
    if (!snap) throw new LabFault("InvalidArgument", `A specified parameter was not correct: snapshot`, { invalidProperty: "snapshot" });
    const frozen = core.frozenDepth(vm, snapshot, diskKey);
    const entry = snap.disks[diskKey];
    if (frozen === undefined || !entry)
      throw new LabFault("InvalidArgument", `A specified parameter was not correct: deviceKey (the disk is not part of the snapshot)`, {
        invalidProperty: "deviceKey",
      });
    depth = frozen;
    const parsed = entry.changeId === null ? undefined : parseChangeId(entry.changeId);
    snapshotSeq = parsed?.seq;
    snapshotEpoch = parsed?.epoch;
  }
  const tracker = core.tracker(vm.moref, diskKey);
  const fileName = `[${disk.datastore}] ${core.chain(vm.moref, diskKey).metas[0]!.descriptor}`;
  if (!vm.changeTrackingEnabled || !tracker.active || (snapshot !== null && snapshotSeq === undefined)) {
    throw new LabFault("FileFault", `Error caused by file ${fileName}: changed block tracking is not active for this disk`, {
      file: fileName,
    });
  }
  if (!Number.isSafeInteger(startOffset) || startOffset < 0 || startOffset >= disk.capacityBytes) {
    throw new LabFault("InvalidArgument", `A specified parameter was not correct: startOffset`, { invalidProperty: "startOffset" });
  }
  const pageSize = Math.max(1, core.state.faults.qcdaPageSize);
  const chain = core.chain(vm.moref, diskKey);
  if (changeId === "*") {
    return changedAreasPage((g) => chain.allocated(g, depth), disk.capacityBytes, startOffset, pageSize);
  }
  const parsed = parseChangeId(changeId);
  if (!parsed) throw new LabFault("InvalidArgument", `A specified parameter was not correct: changeId`, { invalidProperty: "changeId" });
  if (parsed.epoch !== tracker.epoch || (snapshotEpoch !== undefined && snapshotEpoch !== tracker.epoch)) {
    throw new LabFault(
      "FileFault",
      `Error caused by file ${fileName}: the change tracking epoch of changeId does not match the disk (tracking was reset)`,
      { file: fileName },
    );
  }
  const limit = snapshotSeq ?? tracker.seq;
  if (parsed.seq < 1 || parsed.seq > limit) {
    throw new LabFault("InvalidArgument", `A specified parameter was not correct: changeId (unknown sequence ${parsed.seq})`, {
      invalidProperty: "changeId",
    });
  }
  return changedAreasPage((g) => tracker.changedSince(g, parsed.seq), disk.capacityBytes, startOffset, pageSize);
}
