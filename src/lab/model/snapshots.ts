// Snapshot create/remove with VMFS semantics: creating freezes every snapshotted disk (new delta on
// top), removing lets the snapshot's delta merge into its parent (consolidation). Without consolidate
// the delta stays orphaned and the VM reports consolidationNeeded, as vSphere does.
import { type ModelCore } from "./model-core";
import { LabFault, type LabSnapshot, type LabVm } from "./types";

export interface SnapshotOptions {
  name: string;
  description: string;
  memory: boolean;
  quiesce: boolean;
}

function deltaNames(descriptorBase: string, n: number): { path: string; descriptor: string } {
  // descriptorBase "web01/web01.vmdk" -> "web01/web01-000001.vmdk" + "web01/web01-000001-delta.vmdk"
  const stem = descriptorBase.replace(/\.vmdk$/, "");
  const num = String(n).padStart(6, "0");
  return { descriptor: `${stem}-${num}.vmdk`, path: `${stem}-${num}-delta.vmdk` };
}

export async function snapshotCreate(core: ModelCore, vm: LabVm, opts: SnapshotOptions): Promise<string> {
  await core.takeTaskFault("CreateSnapshot", "SnapshotFault");
  const on = vm.powerState === "poweredOn";
  if (opts.memory && on && vm.disks.some((d) => d.rdm === "physical")) {
    throw new LabFault("SnapshotFault", "Memory snapshots are not supported for virtual machines with physical compatibility RDMs.");
  }
  if (vm.disks.some((d) => d.sharing === "sharingMultiWriter")) {
    throw new LabFault("SnapshotFault", "Snapshots are not supported for virtual machines with multi-writer disks.");
  }
  if (opts.quiesce && on && !vm.toolsRunning) {
    throw new LabFault("SnapshotFault", "Cannot create a quiesced snapshot because VMware Tools is not running in the guest.");
  }
  if (opts.name.length === 0 || opts.name.length > 80)
    throw new LabFault("InvalidArgument", "A specified parameter was not correct: name", { invalidProperty: "name" });

  await core.stun(vm);
  const moref = `snapshot-${core.state.nextSnapshotId++}`;
  const disks: LabSnapshot["disks"] = {};
  for (const disk of vm.disks) {
    if (!core.snapshotted(disk)) continue;
    const chain = core.chain(vm.moref, disk.key);
    const top = chain.metas[chain.length - 1]!;
    const changeId = core.tracker(vm.moref, disk.key).advance();
    disks[disk.key] = { fileName: `[${disk.datastore}] ${top.descriptor}`, changeId };
    const base = chain.metas[0]!;
    const next = Math.max(...chain.metas.map((m) => m.number)) + 1;
    await chain.addDelta({ ...deltaNames(base.descriptor, next), number: next, snapshot: moref });
  }
  vm.snapshots.push({
    moref,
    name: opts.name,
    description: opts.description,
    createTime: new Date().toISOString(),
    powerState: vm.powerState,
    quiesced: opts.quiesce && on,
    memory: opts.memory && on, // a powered-off VM has no memory to save
    parent: vm.currentSnapshot,
    disks,
  });
  vm.currentSnapshot = moref;
  core.refreshSnapshotFiles(vm);
  await core.persist();
  return moref;
}

export async function snapshotRemove(
  core: ModelCore,
  vm: LabVm,
  snapshot: string,
  opts: { removeChildren: boolean; consolidate: boolean },
): Promise<void> {
  await core.takeTaskFault("RemoveSnapshot", "SnapshotFault");
  const target = vm.snapshots.find((s) => s.moref === snapshot);
  if (!target)
    throw new LabFault(
      "ManagedObjectNotFound",
      `The object 'vim.vm.Snapshot:${snapshot}' has already been deleted or has not been completely created`,
      { obj: snapshot },
    );
  const doomed = new Set<string>([snapshot]);
  if (opts.removeChildren) {
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of vm.snapshots) {
        if (s.parent !== null && doomed.has(s.parent) && !doomed.has(s.moref)) {
          doomed.add(s.moref);
          grew = true;
        }
      }
    }
  }
  // children of a removed snapshot hang on its nearest surviving ancestor
  const survivingAncestor = (moref: string | null): string | null => {
    let cur = moref;
    while (cur !== null && doomed.has(cur)) cur = vm.snapshots.find((s) => s.moref === cur)?.parent ?? null;
    return cur;
  };
  for (const s of vm.snapshots) if (!doomed.has(s.moref)) s.parent = survivingAncestor(s.parent);
  if (vm.currentSnapshot !== null && doomed.has(vm.currentSnapshot)) vm.currentSnapshot = survivingAncestor(vm.currentSnapshot);
  vm.snapshots = vm.snapshots.filter((s) => !doomed.has(s.moref));

  for (const disk of vm.disks) {
    const chain = core.chain(vm.moref, disk.key);
    chain.metas.forEach((m, i) => {
      if (m.snapshot !== null && doomed.has(m.snapshot)) chain.setOwner(i, null);
    });
  }
  await core.stun(vm);
  // Record the removal first: from here the deltas are orphans, and merging an orphan is idempotent,
  // so a crash during consolidation leaves a VM that merely needs consolidation (as on vSphere).
  core.refreshSnapshotFiles(vm);
  await core.persist();
  if (opts.consolidate) await consolidate(core, vm);
}

/** Merges every orphaned delta into its parent, newest first, then saves and deletes the merged files. */
export async function consolidate(core: ModelCore, vm: LabVm): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  for (const disk of vm.disks) {
    const chain = core.chain(vm.moref, disk.key);
    for (let i = chain.length - 1; i >= 1; i--) {
      if (chain.metas[i]!.snapshot === null) cleanups.push(await chain.mergeIntoParent(i));
    }
  }
  core.refreshSnapshotFiles(vm);
  await core.persist();
  for (const c of cleanups) await c();
}

/**
 * Reverts the VM to a snapshot, as vSphere does: each frozen disk drops what was written since (the
 * deltas above the snapshot's frozen content) and gets a fresh delta on top, owned by the snapshot;
 * the snapshot becomes current; the power state becomes the snapshot's (on only with memory).
 * Independent disks keep their content. The lab's chains are linear, so a snapshot that has child
 * snapshots cannot be the target (vSphere would branch the tree): refused with NotSupported.
 * CBT: a revert starts a new tracking epoch on every tracked disk, so changeIds issued before it never
 * compare with later ones (QueryChangedDiskAreas against an old id faults) and a reader re-copies.
 */
export async function snapshotRevert(core: ModelCore, vm: LabVm, snapshot: string, opts: { suppressPowerOn: boolean }): Promise<void> {
  await core.takeTaskFault("RevertToSnapshot", "SnapshotFault");
  const target = vm.snapshots.find((s) => s.moref === snapshot);
  if (!target)
    throw new LabFault(
      "ManagedObjectNotFound",
      `The object 'vim.vm.Snapshot:${snapshot}' has already been deleted or has not been completely created`,
      { obj: snapshot },
    );
  if (vm.snapshots.some((s) => s.parent === snapshot)) {
    throw new LabFault(
      "NotSupported",
      `The lab keeps one linear delta chain per disk: ${target.name} has child snapshots, remove them before reverting to it.`,
    );
  }
  const cleanups: (() => Promise<void>)[] = [];
  for (const disk of vm.disks) {
    const depth = core.frozenDepth(vm, snapshot, disk.key);
    if (depth === undefined || !target.disks[disk.key]) continue;
    const chain = core.chain(vm.moref, disk.key);
    // Numbered past every file, dropped ones included: their files are deleted only after the save.
    const next = Math.max(...chain.metas.map((m) => m.number)) + 1;
    cleanups.push(...(await chain.dropFrom(depth)));
    await chain.addDelta({ ...deltaNames(chain.metas[0]!.descriptor, next), number: next, snapshot });
  }
  vm.currentSnapshot = snapshot;
  const on = target.memory && target.powerState === "poweredOn" && !opts.suppressPowerOn;
  vm.powerState = on ? "poweredOn" : target.powerState === "suspended" ? "suspended" : "poweredOff";
  vm.toolsRunning = on && vm.toolsInstalled;
  delete core.state.pendingShutdowns[vm.moref];
  if (vm.changeTrackingEnabled) {
    for (const disk of vm.disks) if (core.snapshotted(disk)) await core.tracker(vm.moref, disk.key).startEpoch();
  }
  core.refreshSnapshotFiles(vm);
  await core.persist();
  for (const c of cleanups) await c();
}
