// Snapshots this tool creates. Rules: the intent (unique name) is written to the manifest before
// the create task starts, so a crash in between is recovered by finding the exact name; snapshots
// are removed only by the moref we recorded; one of ours at a time, and never a create while a
// removal is unfinished.
import { type Manifest, type OwnSnapshot } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";
import { type Workdir } from "../state/workdir";
import { type VsphereApi } from "../vsphere/api";

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

async function findByName(bridge: VsphereApi, vmMoref: string, name: string): Promise<string | null> {
  const found = (await bridge.vmState(vmMoref)).snapshots.filter((s) => s.name === name);
  if (found.length > 1) {
    throw new V2kError(
      "SNAPSHOT_FAILED",
      `${found.length} snapshots are named '${name}'`,
      "Someone copied our snapshot name; remove the extra ones in vSphere and re-run.",
    );
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
async function resolveCreating(wd: Workdir, bridge: VsphereApi, s: OwnSnapshot): Promise<string | null> {
  if (s.moref) return s.moref;
  const moref = await findByName(bridge, wd.manifest.vm.moref, s.name);
  if (moref) await setState(wd, s.name, { moref, state: "present" });
  else await setState(wd, s.name, { state: "failed" });
  return moref;
}

/** Remove one of our snapshots by its recorded moref (idempotent). */
export async function removeOwnSnapshot(wd: Workdir, bridge: VsphereApi, name: string, step: string): Promise<void> {
  const s = wd.manifest.snapshots.find((x) => x.name === name);
  if (!s || s.state === "removed" || s.state === "failed") return;
  const moref = await resolveCreating(wd, bridge, s);
  if (!moref) return;
  if (s.state !== "removing") await setState(wd, name, { state: "removing" });
  const r = await bridge.snapshotRemove(moref);
  await setState(wd, name, { state: "removed", removedAt: new Date().toISOString() });
  wd.emitter.log(
    "info",
    step,
    r.missing
      ? say(`snapshot ${moref} was already gone`, `스냅샷 ${moref}은(는) 이미 없습니다`)
      : say(`removed snapshot ${moref} (${name})`, `스냅샷 ${moref}(${name})을(를) 지웠습니다`),
  );
}

/**
 * A create we gave up on (task error, timeout, killed helper) may still have completed in vCenter:
 * adopt such a snapshot by its exact run-unique name, so that it is removed like any other of ours.
 */
async function adoptLateCreations(wd: Workdir, bridge: VsphereApi, step: string): Promise<void> {
  const givenUp = wd.manifest.snapshots.filter((s) => s.state === "failed" && s.moref === null);
  if (givenUp.length === 0) return;
  const onVm = (await bridge.vmState(wd.manifest.vm.moref)).snapshots;
  for (const s of givenUp) {
    const hits = onVm.filter((x) => x.name === s.name);
    if (hits.length !== 1) continue;
    await setState(wd, s.name, { moref: hits[0]!.moref, state: "present" });
    wd.emitter.log(
      "warn",
      step,
      say(
        `snapshot ${hits[0]!.moref} (${s.name}) was created after its task had been given up; it is ours and is removed`,
        `스냅샷 ${hits[0]!.moref}(${s.name})은(는) 포기한 작업 뒤에 만들어졌습니다. 이 마이그레이션의 것이므로 지웁니다`,
      ),
    );
  }
}

/** Remove every open snapshot of ours except `keep` (crash leftovers, unfinished removals). */
export async function settleOwnSnapshots(wd: Workdir, bridge: VsphereApi, step: string, keep?: string): Promise<void> {
  await adoptLateCreations(wd, bridge, step);
  for (const s of openSnapshots(wd.manifest)) {
    if (s.name === keep) continue;
    await removeOwnSnapshot(wd, bridge, s.name, step);
  }
}

/**
 * Make sure snapshot `name` exists (create it, or find it after a crash) and return its moref.
 * Any other snapshot of ours is removed first.
 */
export async function ensureOwnSnapshot(
  wd: Workdir,
  bridge: VsphereApi,
  spec: {
    name: string;
    round: number;
    kind: RoundKind;
    purpose: "round" | "cbt-stun";
    /** Also recorded in the intent's manifest write (the round that takes this snapshot). */
    withIntent?: (m: Manifest) => void;
  },
  step: string,
): Promise<string> {
  await settleOwnSnapshots(wd, bridge, step, spec.name);
  const existing = wd.manifest.snapshots.find((s) => s.name === spec.name);
  if (existing && (existing.state === "present" || existing.state === "creating")) {
    const moref = await resolveCreating(wd, bridge, existing);
    if (moref) {
      // still there? (someone may have deleted it in vSphere)
      const there = (await bridge.vmState(wd.manifest.vm.moref)).snapshots.some((x) => x.moref === moref);
      if (there) return moref;
      await setState(wd, spec.name, { state: "removed", removedAt: new Date().toISOString() });
      wd.emitter.log(
        "warn",
        step,
        say(
          `snapshot ${moref} (${spec.name}) disappeared outside ablestack-v2k; creating it again`,
          `스냅샷 ${moref}(${spec.name})이(가) ablestack-v2k 밖에서 사라졌습니다. 다시 만듭니다`,
        ),
      );
    }
  }
  if (existing && existing.state === "removing") {
    throw new Error(`snapshot ${spec.name} is being removed; settle it first`);
  }
  // vSphere may still be merging deltas (a removal or consolidation in progress or failed): a new
  // snapshot on top of that risks guest data, so wait for the host to finish or the admin to consolidate.
  if ((await bridge.vmState(wd.manifest.vm.moref)).consolidationNeeded) {
    throw new V2kError(
      "SNAPSHOT_FAILED",
      `${wd.manifest.vm.name} needs disk consolidation; no new snapshot is taken`,
      "Consolidate the VM's disks in vSphere (Snapshots > Consolidate), then re-run.",
    );
  }
  // the intent first: a crash during the task is recovered by the exact name
  await wd.update((m) => {
    const rec: OwnSnapshot = {
      name: spec.name,
      moref: null,
      round: spec.round,
      kind: spec.kind,
      state: "creating",
      createdAt: new Date().toISOString(),
      purpose: spec.purpose,
    };
    const i = m.snapshots.findIndex((s) => s.name === spec.name);
    if (i >= 0) m.snapshots[i] = rec;
    else m.snapshots.push(rec);
    spec.withIntent?.(m);
  });
  let moref: string;
  try {
    moref = (await bridge.snapshotCreate(wd.manifest.vm.moref, spec.name, "created by ablestack-v2k; removed automatically")).moref;
  } catch (e) {
    // a failed task may still have left the snapshot behind: look, and remove it by moref. When even
    // the look fails (bridge gone), the record stays "creating" and the next run resolves it.
    const left = await findByName(bridge, wd.manifest.vm.moref, spec.name).catch(() => undefined);
    if (left) {
      await setState(wd, spec.name, { moref: left, state: "present" });
      await removeOwnSnapshot(wd, bridge, spec.name, step).catch(() => undefined);
    } else if (left === null) {
      await setState(wd, spec.name, { state: "failed" });
    }
    throw e;
  }
  await setState(wd, spec.name, { moref, state: "present" });
  wd.emitter.log("info", step, say(`created snapshot ${moref} (${spec.name})`, `스냅샷 ${moref}(${spec.name})을(를) 만들었습니다`));
  return moref;
}
