// Snapshots this tool creates. Rules: the intent (unique name) is written to the manifest before
// the create task starts, so a crash in between is recovered by finding the exact name; snapshots
// are removed only by the moref we recorded; one of ours at a time, and never a create while a
// removal is unfinished.
import { type Manifest, type OwnSnapshot } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type Workdir } from "../state/workdir";
import { type VsphereBridge } from "../vsphere/bridge";

export type RoundKind = "base" | "incr" | "final";

export function roundSnapshotName(m: Manifest, n: number, kind: RoundKind): string {
  return `ablestack-v2k ${m.runId} round ${n} ${kind}`;
}

export function stunSnapshotName(m: Manifest): string {
  const k = m.snapshots.filter((s) => s.purpose === "cbt-stun").length;
  return `ablestack-v2k ${m.runId} cbt-stun ${k}`;
}

/** Our snapshots that may still exist on the VM. */
export function openSnapshots(m: Manifest): OwnSnapshot[] {
  return m.snapshots.filter((s) => s.state !== "removed" && s.state !== "failed");
}

async function findByName(bridge: VsphereBridge, vmMoref: string, name: string): Promise<string | null> {
  const found = (await bridge.vmState(vmMoref)).snapshots.filter((s) => s.name === name);
  if (found.length > 1) {
    throw new V2kError("SNAPSHOT_FAILED", `${found.length} snapshots are named '${name}'`, "Someone copied our snapshot name; remove the extra ones in vSphere and re-run.");
  }
  return found[0]?.moref ?? null;
}

async function setState(wd: Workdir, name: string, patch: Partial<OwnSnapshot>): Promise<void> {
  await wd.update((m) => {
    const s = m.snapshots.find((x) => x.name === name);
    if (s) Object.assign(s, patch);
  });
}

/** Resolve a "creating" record after a crash: did the task create it? Returns the moref or null. */
async function resolveCreating(wd: Workdir, bridge: VsphereBridge, s: OwnSnapshot): Promise<string | null> {
  if (s.moref) return s.moref;
  const moref = await findByName(bridge, wd.manifest.vm.moref, s.name);
  if (moref) await setState(wd, s.name, { moref, state: "present" });
  else await setState(wd, s.name, { state: "failed" });
  return moref;
}

/** Remove one of our snapshots by its recorded moref (idempotent). */
export async function removeOwnSnapshot(wd: Workdir, bridge: VsphereBridge, name: string, step: string): Promise<void> {
  const s = wd.manifest.snapshots.find((x) => x.name === name);
  if (!s || s.state === "removed" || s.state === "failed") return;
  const moref = await resolveCreating(wd, bridge, s);
  if (!moref) return;
  await setState(wd, name, { state: "removing" });
  const r = await bridge.snapshotRemove(moref);
  await setState(wd, name, { state: "removed", removedAt: new Date().toISOString() });
  wd.emitter.log("info", step, r.missing ? `snapshot ${moref} was already gone` : `removed snapshot ${moref} (${name})`);
}

/** Remove every open snapshot of ours except `keep` (crash leftovers, unfinished removals). */
export async function settleOwnSnapshots(wd: Workdir, bridge: VsphereBridge, step: string, keep?: string): Promise<void> {
  for (const s of openSnapshots(wd.manifest)) {
    if (s.name === keep) continue;
    await removeOwnSnapshot(wd, bridge, s.name, step);
  }
}

/**
 * Make sure snapshot `name` exists (create it, or find it after a crash) and return its moref.
 * Any other snapshot of ours is removed first.
 */
export async function ensureOwnSnapshot(wd: Workdir, bridge: VsphereBridge, spec: { name: string; round: number; kind: RoundKind; purpose: "round" | "cbt-stun" },
  step: string): Promise<string> {
  await settleOwnSnapshots(wd, bridge, step, spec.name);
  const existing = wd.manifest.snapshots.find((s) => s.name === spec.name);
  if (existing && (existing.state === "present" || existing.state === "creating")) {
    const moref = await resolveCreating(wd, bridge, existing);
    if (moref) {
      // still there? (someone may have deleted it in vSphere)
      const there = (await bridge.vmState(wd.manifest.vm.moref)).snapshots.some((x) => x.moref === moref);
      if (there) return moref;
      await setState(wd, spec.name, { state: "removed", removedAt: new Date().toISOString() });
      wd.emitter.log("warn", step, `snapshot ${moref} (${spec.name}) disappeared outside ablestack-v2k; creating it again`);
    }
  }
  if (existing && existing.state === "removing") {
    throw new Error(`snapshot ${spec.name} is being removed; settle it first`);
  }
  // the intent first: a crash during the task is recovered by the exact name
  await wd.update((m) => {
    const rec: OwnSnapshot = { name: spec.name, moref: null, round: spec.round, kind: spec.kind, state: "creating", createdAt: new Date().toISOString(), purpose: spec.purpose };
    const i = m.snapshots.findIndex((s) => s.name === spec.name);
    if (i >= 0) m.snapshots[i] = rec;
    else m.snapshots.push(rec);
  });
  let moref: string;
  try {
    moref = (await bridge.snapshotCreate(wd.manifest.vm.moref, spec.name, "created by ablestack-v2k; removed automatically")).moref;
  } catch (e) {
    // a failed task may still have left the snapshot behind: look, and remove it by moref
    const left = await findByName(bridge, wd.manifest.vm.moref, spec.name).catch(() => null);
    if (left) {
      await setState(wd, spec.name, { moref: left, state: "present" });
      await removeOwnSnapshot(wd, bridge, spec.name, step).catch(() => undefined);
    } else {
      await setState(wd, spec.name, { state: "failed" });
    }
    throw e;
  }
  await setState(wd, spec.name, { moref, state: "present" });
  wd.emitter.log("info", step, `created snapshot ${moref} (${spec.name})`);
  return moref;
}
