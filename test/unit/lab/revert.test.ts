// Snapshot revert in the lab model, and what a CBT reader sees afterwards: content goes back to the
// snapshot, power state follows the snapshot, and changeIds from before the revert stop comparing
// (a new epoch) so that an incremental reader rebases instead of missing the reverted blocks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LabFault, parseChangeId } from "../../../src/lab/model/index";
import { MiB, allChangedAreas, withLab } from "./helpers";

const BOOT = "vm-104";
const DISK = 2000;
const CAP = 128 * MiB;
const snap = (name: string, memory = false) => ({ name, description: "", memory, quiesce: false });

test("revert: content back to the snapshot, fresh delta, power state of the snapshot, dropped files deleted", async () => {
  await withLab("minimal", async (model, dir) => {
    const h0 = await model.diskHash(BOOT, DISK, null);
    const s1 = await model.createSnapshot(BOOT, snap("s1"));
    await model.guestWrite(BOOT, DISK, 3 * MiB, 1 * MiB, 5);
    assert.notEqual(await model.diskHash(BOOT, DISK, null), h0);
    await model.revertToSnapshot(s1, { suppressPowerOn: false });
    assert.equal(await model.diskHash(BOOT, DISK, null), h0);
    const vm = model.vm(BOOT);
    assert.equal(vm.currentSnapshot, s1);
    assert.equal(vm.powerState, "poweredOff", "a snapshot without memory reverts to powered off");
    assert.equal(vm.snapshots.length, 1);
    const files = model.diskFiles(BOOT, DISK).map((f) => f.dataFile);
    assert.deepEqual(files, ["[ds1] boot01/boot01-flat.vmdk", "[ds1] boot01/boot01-000002-delta.vmdk"]);
    assert.equal(existsSync(join(dir, "datastores/ds1/boot01/boot01-000001-delta.vmdk")), false);
    // the snapshot still removes cleanly and the content stays
    await model.removeSnapshot(s1, { removeChildren: false, consolidate: true });
    assert.equal(await model.diskHash(BOOT, DISK, null), h0);
  });
});

test("revert to a snapshot with child snapshots is refused (the lab's chains are linear)", async () => {
  await withLab("minimal", async (model) => {
    const s1 = await model.createSnapshot(BOOT, snap("s1"));
    await model.createSnapshot(BOOT, snap("s2"));
    await assert.rejects(
      model.revertToSnapshot(s1, { suppressPowerOn: false }),
      (e: unknown) => e instanceof LabFault && e.fault === "NotSupported",
    );
  });
});

test("CBT after a revert: a new epoch; old changeIds fault, '*' covers every allocated area", async () => {
  await withLab("minimal", async (model) => {
    await model.reconfigure(BOOT, { changeTrackingEnabled: true });
    await model.powerOff(BOOT);
    await model.powerOn(BOOT); // the stun that activates tracking
    const user = await model.createSnapshot(BOOT, snap("user", true));
    // an incremental reader: migration snapshot m1, synced up to its changeId
    const m1 = await model.createSnapshot(BOOT, snap("m1"));
    const synced = model.vm(BOOT).snapshots.find((s) => s.moref === m1)!.disks[DISK]!.changeId!;
    await model.removeSnapshot(m1, { removeChildren: false, consolidate: true });
    await model.guestWrite(BOOT, DISK, 40 * MiB, 1 * MiB, 9);
    // the admin reverts: the write above and everything after "user" is gone
    await model.revertToSnapshot(user, { suppressPowerOn: false });
    assert.equal(model.vm(BOOT).powerState, "poweredOn", "a memory snapshot of a running VM reverts to running");
    const m2 = await model.createSnapshot(BOOT, snap("m2"));
    const now = model.vm(BOOT).snapshots.find((s) => s.moref === m2)!.disks[DISK]!.changeId!;
    assert.notEqual(parseChangeId(now)!.epoch, parseChangeId(synced)!.epoch, "the reader sees another epoch and rebases");
    await assert.rejects(
      model.queryChangedDiskAreas(BOOT, m2, DISK, 0, synced),
      (e: unknown) => e instanceof LabFault && e.fault === "FileFault",
    );
    // a rebase reads the allocated areas: exactly those of the snapshot reverted to, not the lost write
    const all = await allChangedAreas(model, BOOT, m2, DISK, "*", CAP);
    const atUser = await allChangedAreas(model, BOOT, user, DISK, "*", CAP);
    assert.ok(all.areas.length > 0);
    assert.deepEqual(all.areas, atUser.areas);
    assert.equal(await model.diskHash(BOOT, DISK, m2), await model.diskHash(BOOT, DISK, user));
  });
});
