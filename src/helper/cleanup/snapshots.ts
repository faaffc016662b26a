// Removal of the snapshots this tool created, by the morefs recorded in the manifest. A snapshot
// whose create task never reported back (moref null) is found by its exact, run-unique name.
// Never a pattern, never a snapshot the manifest does not list: user snapshots stay.
import { type Workdir } from "../state/index";
import { type VsphereBridge } from "../vsphere/index";

export interface SnapshotRemoval {
  removed: string[]; // morefs removed now
  alreadyGone: string[];
}

export async function removeOwnSnapshots(wd: Workdir, bridge: VsphereBridge, step: string): Promise<SnapshotRemoval> {
  const out: SnapshotRemoval = { removed: [], alreadyGone: [] };
  const pending = wd.manifest.snapshots.filter((s) => s.state !== "removed");
  if (pending.length === 0) return out;
  const live = (await bridge.vmState(wd.manifest.vm.moref)).snapshots;
  for (const snap of pending) {
    const moref = snap.moref ?? live.find((l) => l.name === snap.name)?.moref ?? null;
    if (moref === null) {
      // the create task never completed: nothing on VMware carries this run-unique name
      await wd.update((m) => {
        const s = m.snapshots.find((x) => x.name === snap.name);
        if (s) s.state = "removed", s.removedAt = new Date().toISOString();
      });
      continue;
    }
    await wd.update((m) => {
      const s = m.snapshots.find((x) => x.name === snap.name);
      if (s) s.moref = moref, s.state = "removing";
    });
    wd.emitter.log("info", step, `removing migration snapshot ${snap.name} (${moref})`);
    const r = await bridge.snapshotRemove(moref);
    (r.missing ? out.alreadyGone : out.removed).push(moref);
    await wd.update((m) => {
      const s = m.snapshots.find((x) => x.name === snap.name);
      if (s) s.state = "removed", s.removedAt = new Date().toISOString();
    });
  }
  return out;
}
