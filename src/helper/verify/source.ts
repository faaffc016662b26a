// The source side of a data verify: the VMware base disk, which is frozen either because the VM is
// powered off without snapshots (after cutover) or because the only snapshot is the one of a round
// whose data the targets hold (a committed round whose snapshot removal was interrupted).
import { type Disk } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type SourceSpec } from "../endpoints/index";
import { type Workdir } from "../state/index";
import { type VsphereSession } from "../vsphere/session";
import { sourceSpecOf } from "../disk-access/index";
import { type SourceSpecFn } from "./verify";

export async function frozenSourceSpecs(wd: Workdir, session: VsphereSession): Promise<SourceSpecFn> {
  const m = wd.manifest;
  const state = await session.bridge.vmState(m.vm.moref);
  // only a snapshot of a committed round freezes what the targets hold (an open round's is newer)
  const committed = new Set(m.rounds.filter((r) => r.status === "synced").map((r) => r.snapshotName));
  const ours = new Set(m.snapshots.filter((s) => s.moref !== null && committed.has(s.name)).map((s) => s.moref!));
  const snaps = state.snapshots;
  const frozenByOurSnapshot = snaps.length === 1 && ours.has(snaps[0]!.moref);
  if (!frozenByOurSnapshot) {
    if (snaps.length > 0) {
      throw new V2kError(
        "PHASE_ORDER",
        `the VMware VM has snapshots (${snaps.map((s) => `'${s.name}'`).join(", ")}): its base disk is not what the targets hold`,
        "Verify after cutover (source off, migration snapshots removed); finish an open round with 'sync' first, and remove snapshots that are not ours.",
      );
    }
    if (state.powerState !== "poweredOff") {
      throw new V2kError(
        "SOURCE_RUNNING",
        "the VMware VM is running without a migration snapshot: its disks change while they are read",
        "Verify after cutover (the source is then off), or during an open round (sync snapshot present).",
      );
    }
  }
  const snapshot = frozenByOurSnapshot ? snaps[0]!.moref : "";
  return async (d: Disk): Promise<SourceSpec> => {
    const spec = await sourceSpecOf(m, session, d.fileName, snapshot);
    if (spec.kind === "vddk" && snapshot === "") delete spec.snapshotMoref;
    return spec;
  };
}
