// Snapshot semantics of the lab model: freezing, deltas, consolidation, the base file equal to the
// single snapshot's content, independent disks left out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LabFault, guestPattern } from "../../../src/lab/model/index";
import { GiB, MiB, sha256OfFile, withLab } from "./helpers";
import { linux01ImageReady } from "../../../src/lab/guest-image/linux01";

const WEB = "vm-101";
const DISK = 16000; // web01's 1 GiB SATA disk on ds2
// boot01's 128 MiB disk keeps the hash-heavy tests quick
const BOOT = "vm-104";
const BDISK = 2000;
const snap = (name: string) => ({ name, description: "", memory: false, quiesce: false });

test("a snapshot freezes content; removal consolidates and keeps every surviving view", async () => {
  await withLab("minimal", async (model, dir) => {
    const h0 = await model.diskHash(BOOT, BDISK, null);
    const s1 = await model.createSnapshot(BOOT, snap("s1"));
    assert.equal(model.currentDiskBacking(BOOT, BDISK).fileName, "[ds1] boot01/boot01-000001.vmdk");
    await model.guestWrite(BOOT, BDISK, 5 * MiB + 100, 300 * 1024, 7);
    const h1 = await model.diskHash(BOOT, BDISK, null);
    assert.notEqual(h1, h0);
    assert.equal(await model.diskHash(BOOT, BDISK, s1), h0, "snapshot s1 still shows the content before the write");

    const s2 = await model.createSnapshot(BOOT, snap("s2"));
    await model.guestWrite(BOOT, 0, 100 * MiB, 1 * MiB, 8); // disk by index
    const h2 = await model.diskHash(BOOT, BDISK, null);
    assert.notEqual(h2, h1);
    assert.equal(await model.diskHash(BOOT, BDISK, s2), h1);
    const vm = model.vm(BOOT);
    assert.equal(vm.snapshots.find((s) => s.moref === s2)?.parent, s1);
    assert.equal(vm.currentSnapshot, s2);

    await model.removeSnapshot(s1, { removeChildren: false, consolidate: true });
    assert.equal(await model.diskHash(BOOT, BDISK, s2), h1, "s2's view survives removal of its parent");
    assert.equal(await model.diskHash(BOOT, BDISK, null), h2);
    assert.equal(existsSync(join(dir, "datastores/ds1/boot01/boot01-000001-delta.vmdk")), false, "merged delta is deleted");
    assert.equal(model.vm(BOOT).snapshots[0]?.parent, null);

    // exactly one snapshot: the base flat file is that snapshot's content, byte for byte
    const flat = model.openDatastoreFile("ds1", "boot01/boot01-flat.vmdk");
    assert.equal(flat.size, 128 * MiB);
    assert.equal(await sha256OfFile(flat.read, flat.size), h1);
    const delta = model.openDatastoreFile("[ds1] boot01/boot01-000002-delta.vmdk", "");
    const bytes = await delta.read(100 * MiB, 100 * MiB + 4096);
    assert.deepEqual(bytes, guestPattern(8, 100 * MiB, 4096), "the newest delta holds the write at its guest offset");

    await model.removeSnapshot(s2, { removeChildren: false, consolidate: true });
    assert.equal(await model.diskHash(BOOT, BDISK, null), h2);
    assert.equal(model.currentDiskBacking(BOOT, BDISK).fileName, "[ds1] boot01/boot01.vmdk");
    assert.equal(await sha256OfFile(flat.read, flat.size), h2, "after the last removal the base holds the current content");
    assert.deepEqual(model.vm(BOOT).snapshots, []);
    assert.equal(model.vm(BOOT).currentSnapshot, null);
  });
});

test("removeChildren removes the subtree; consolidate=false leaves consolidationNeeded until consolidated", async () => {
  await withLab("minimal", async (model, dir) => {
    const s1 = await model.createSnapshot(BOOT, snap("s1"));
    await model.guestWrite(BOOT, BDISK, 0, 64 * 1024, 1);
    await model.createSnapshot(BOOT, snap("s2"));
    await model.guestWrite(BOOT, BDISK, 10 * MiB, 64 * 1024, 2);
    const current = await model.diskHash(BOOT, BDISK, null);
    await model.removeSnapshot(s1, { removeChildren: true, consolidate: false });
    let vm = model.vm(BOOT);
    assert.deepEqual(vm.snapshots, []);
    assert.equal(vm.consolidationNeeded, true);
    assert.equal(await model.diskHash(BOOT, BDISK, null), current);
    assert.ok(existsSync(join(dir, "datastores/ds1/boot01/boot01-000002-delta.vmdk")));
    await model.consolidateDisks(BOOT);
    vm = model.vm(BOOT);
    assert.equal(vm.consolidationNeeded, false);
    assert.equal(await model.diskHash(BOOT, BDISK, null), current);
    assert.equal(model.currentDiskBacking(BOOT, BDISK).fileName, "[ds1] boot01/boot01.vmdk");
    assert.equal(existsSync(join(dir, "datastores/ds1/boot01/boot01-000002-delta.vmdk")), false);
  });
});

test("partial-grain writes after a snapshot keep the untouched bytes of the grain (copy-on-write)", async () => {
  await withLab("minimal", async (model) => {
    // web01 disk 16000 holds seeded data at [0, 2 MiB) with seed 21
    const s1 = await model.createSnapshot(WEB, snap("s1"));
    await model.guestWrite(WEB, DISK, 1000, 10, 99);
    const f = model.openDatastoreFile("ds2", "web01/web01_1-000001-delta.vmdk");
    const grain = await f.read(0, 2048);
    assert.deepEqual(grain.subarray(0, 1000), guestPattern(21, 0, 1000));
    assert.deepEqual(grain.subarray(1000, 1010), guestPattern(99, 1000, 10));
    assert.deepEqual(grain.subarray(1010, 2048), guestPattern(21, 1010, 1038));
    const base = model.openDatastoreFile("ds2", "web01/web01_1-flat.vmdk");
    assert.deepEqual(await base.read(990, 1020), guestPattern(21, 990, 30), "the frozen base is untouched");
    assert.ok(s1);
  });
});

test("host refusals: power state, tools, injected task failures, bad snapshot refs", async () => {
  await withLab("minimal", async (model) => {
    await assert.rejects(model.powerOn(WEB), (e: unknown) => e instanceof LabFault && e.fault === "InvalidPowerState");
    await assert.rejects(model.shutdownGuest("vm-104"), (e: unknown) => e instanceof LabFault && e.fault === "ToolsUnavailable");
    await assert.rejects(
      model.removeSnapshot("snapshot-999", { removeChildren: false, consolidate: true }),
      (e: unknown) => e instanceof LabFault && e.fault === "ManagedObjectNotFound",
    );
    await assert.rejects(
      model.guestWrite(WEB, DISK, GiB - 10, 20, 1),
      (e: unknown) => e instanceof LabFault && e.fault === "InvalidArgument",
    );

    await model.setFaults({ failNextTask: { CreateSnapshot: "injected: datastore busy" } });
    await assert.rejects(
      model.createSnapshot(WEB, snap("x")),
      (e: unknown) => e instanceof LabFault && e.message === "injected: datastore busy",
    );
    assert.deepEqual(model.faults().failNextTask, {}, "an injected failure is used once");
    const s = await model.createSnapshot(WEB, snap("x"));
    assert.match(s, /^snapshot-\d+$/);

    await model.shutdownGuest(WEB);
    assert.equal(model.vm(WEB).powerState, "poweredOn", "ShutdownGuest returns before the guest is down");
    await assert.rejects(
      model
        .guestWrite("vm-104", 0, 0, 10, 1)
        .then(() => model.powerOff("vm-104"))
        .then(() => model.guestWrite("vm-104", 0, 0, 10, 1)),
      (e: unknown) => e instanceof LabFault && e.fault === "InvalidPowerState",
    );
    const deadline = Date.now() + 10_000;
    while (model.vm(WEB).powerState !== "poweredOff" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(model.vm(WEB).powerState, "poweredOff");
    assert.equal(model.vm(WEB).toolsRunning, false);
    await assert.rejects(model.powerOff(WEB), (e: unknown) => e instanceof LabFault && e.fault === "InvalidPowerState");
    await model.powerOn(WEB);
    assert.equal(model.vm(WEB).toolsRunning, true);
  });
});

test("datastore read errors are injected a counted number of times", async () => {
  await withLab("minimal", async (model) => {
    const f = model.openDatastoreFile("ds1", "web01/web01-flat.vmdk");
    await model.setFaults({ datastoreReadErrors: 1 });
    await assert.rejects(f.read(0, 512), (e: unknown) => e instanceof LabFault && e.fault === "FileFault");
    assert.deepEqual(await f.read(0, 512), guestPattern(11, 0, 512));
    assert.throws(
      () => model.openDatastoreFile("ds1", "web01/nope-flat.vmdk"),
      (e: unknown) => e instanceof LabFault && e.fault === "NotFound",
    );
  });
});

test("default scenario: legacy01 has a user snapshot and an independent disk that snapshots leave out", async () => {
  await withLab("default", async (model) => {
    const inv = model.inventory();
    // linux01 joins once its image is built (lab build-images)
    assert.deepEqual(
      inv.vms.map((v) => v.name),
      ["web01", "win01", "legacy01", "boot01", ...(linux01ImageReady() ? ["linux01"] : [])],
    );
    const legacy = model.findVm("legacy01");
    assert.equal(legacy.snapshots.length, 1);
    const before = legacy.snapshots[0]!;
    assert.equal(before.name, "before-upgrade");
    assert.deepEqual(Object.keys(before.disks), ["2000"]);
    await assert.rejects(
      model.diskHash(legacy.moref, 2001, before.moref),
      (e: unknown) => e instanceof LabFault && e.fault === "InvalidArgument",
    );
    assert.notEqual(await model.diskHash(legacy.moref, 2000, before.moref), await model.diskHash(legacy.moref, 2000, null));
    const web = model.findVm("web01");
    assert.deepEqual(
      web.nics.map((n) => [n.model, n.network]),
      [
        ["vmxnet3", "VM Network"],
        ["e1000", "dvpg-prod"],
      ],
    );
    assert.deepEqual(new Set(web.disks.map((d) => d.controllerKey)).size, 2);
    const win = model.findVm("win01");
    assert.equal(win.firmware, "efi");
    assert.equal(win.secureBoot, true);
    assert.equal(win.guestHints.windowsFastStartup, true);
  });
});
