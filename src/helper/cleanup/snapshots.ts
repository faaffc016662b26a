// Removal of the snapshots this run created: the engine's settleOwnSnapshots (by the morefs in the
// manifest, or the exact run-unique name of a create that never reported back; never a pattern,
// never a snapshot the manifest does not list), reported as the morefs removed now.
import { type Workdir } from "../state/index";
import { type VsphereApi } from "../vsphere/api";
import { settleOwnSnapshots } from "../sync/own-snapshots";

export interface SnapshotRemoval {
  removed: string[];
}

export async function removeOwnSnapshots(wd: Workdir, bridge: VsphereApi, step: string): Promise<SnapshotRemoval> {
  const before = new Map(wd.manifest.snapshots.map((s) => [s.name, s.state]));
  await settleOwnSnapshots(wd, bridge, step);
  const removed = wd.manifest.snapshots
    .filter((s) => s.state === "removed" && before.get(s.name) !== "removed" && s.moref !== null)
    .map((s) => s.moref!);
  return { removed };
}
