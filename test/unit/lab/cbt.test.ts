// Changed block tracking of the lab model: activation only after a stun, QCDA covering every write
// between snapshots, "*" covering allocated data, paging, epoch resets and the host's faults.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LabFault, parseChangeId } from "../../../src/lab/model/index";
import { GiB, MiB, allChangedAreas, covered, withLab } from "./helpers";

const WEB = "vm-101";
const D0 = 2000; // 2 GiB pvscsi disk
const snap = (name: string) => ({ name, description: "", memory: false, quiesce: false });
const isFault = (kind: string) => (e: unknown) => e instanceof LabFault && e.fault === kind;

test("CBT is active only after a stun once enabled; disabling clears changeIds", async () => {
  await withLab("minimal", async (model) => {
    const s0 = await model.createSnapshot(WEB, snap("before-cbt"));
    await assert.rejects(model.queryChangedDiskAreas(WEB, s0, D0, 0, "*"), isFault("FileFault"), "CBT disabled");
    await model.reconfigure(WEB, { changeTrackingEnabled: true });
    assert.equal(model.currentDiskBacking(WEB, D0).changeId, null, "no changeId before a stun");
    await assert.rejects(model.queryChangedDiskAreas(WEB, s0, D0, 0, "*"), isFault("FileFault"), "enabled but not active");
    await model.removeSnapshot(s0, { removeChildren: false, consolidate: true }); // a stun
    const id = model.currentDiskBacking(WEB, D0).changeId;
    assert.ok(id && parseChangeId(id), `changeId in vSphere form: ${id}`);
    assert.match(id!, /^52( [0-9a-f]{2}){7}-[0-9a-f]{2}( [0-9a-f]{2}){7}\/\d+$/);

    await model.reconfigure(WEB, { changeTrackingEnabled: false });
    assert.equal(model.currentDiskBacking(WEB, D0).changeId, null);
    await model.reconfigure(WEB, { changeTrackingEnabled: true });
    assert.equal(model.currentDiskBacking(WEB, D0).changeId, null, "re-enabled: inactive until the next stun");
    await model.powerOff(WEB);
    await model.powerOn(WEB); // power-on is a stun too
    const id2 = model.currentDiskBacking(WEB, D0).changeId!;
    assert.notEqual(parseChangeId(id2)!.epoch, parseChangeId(id)!.epoch, "a new epoch after re-enabling");
  });
});

test("QCDA against the previous snapshot's changeId covers every write in between; '*' covers allocated data", async () => {
  await withLab("minimal", async (model) => {
    await model.reconfigure(WEB, { changeTrackingEnabled: true });
    const s1 = await model.createSnapshot(WEB, snap("s1"));
    const id1 = model.vm(WEB).snapshots[0]!.disks[D0]!.changeId!;
    assert.ok(id1);

    // the base copy: '*' must cover every seeded range of web01 disk 0
    const all = await allChangedAreas(model, WEB, s1, D0, "*", 2 * GiB);
    for (const [off, len] of [
      [0, MiB],
      [64 * MiB, 4 * MiB],
      [1536 * MiB + 12345, 2 * MiB],
    ] as const) {
      assert.ok(covered(all.areas, off, len), `'*' covers seeded [${off}, +${len})`);
    }
    const allocated = all.areas.reduce((n, a) => n + a.length, 0);
    assert.ok(allocated < 16 * MiB, `'*' reports only allocated areas, got ${allocated}`);

    // writes while s1 exists, at odd offsets and sizes
    const writes: [number, number][] = [
      [1, 1],
      [3 * MiB + 7, 200_000],
      [700 * MiB, 64 * 1024],
      [2 * GiB - 5000, 5000],
    ];
    for (const [i, [off, len]] of writes.entries()) await model.guestWrite(WEB, D0, off, len, 100 + i);
    const s2 = await model.createSnapshot(WEB, snap("s2"));
    const id2 = model.vm(WEB).snapshots.find((s) => s.moref === s2)!.disks[D0]!.changeId!;
    assert.equal(parseChangeId(id2)!.epoch, parseChangeId(id1)!.epoch);
    assert.ok(parseChangeId(id2)!.seq > parseChangeId(id1)!.seq);

    const changed = await allChangedAreas(model, WEB, s2, D0, id1, 2 * GiB);
    for (const [off, len] of writes) assert.ok(covered(changed.areas, off, len), `write [${off}, +${len}) is reported`);
    const reported = changed.areas.reduce((n, a) => n + a.length, 0);
    assert.ok(reported <= 2 * MiB, `only the changed grains are reported (${reported} bytes)`);
    assert.ok(!covered(changed.areas, 64 * MiB, 4096), "unchanged seeded data is not reported");

    // nothing changed since s2
    const none = await allChangedAreas(model, WEB, s2, D0, id2, 2 * GiB);
    assert.deepEqual(none.areas, []);

    // the running point: writes after s2 are seen by a snapshot-less query, not by s2's
    await model.guestWrite(WEB, D0, 10 * MiB, 10, 5);
    assert.ok(covered((await allChangedAreas(model, WEB, null, D0, id2, 2 * GiB)).areas, 10 * MiB, 10));
    await model.removeSnapshot(s1, { removeChildren: false, consolidate: true });
  });
});

test("QCDA pages: at most qcdaPageSize extents per reply, replies chain up to the capacity", async () => {
  await withLab("minimal", async (model) => {
    await model.reconfigure(WEB, { changeTrackingEnabled: true });
    const s1 = await model.createSnapshot(WEB, snap("s1"));
    const id1 = model.vm(WEB).snapshots[0]!.disks[D0]!.changeId!;
    const offsets = Array.from({ length: 9 }, (_, i) => i * 100 * MiB + 3 * MiB);
    for (const off of offsets) await model.guestWrite(WEB, D0, off, 1000, off);
    const s2 = await model.createSnapshot(WEB, snap("s2"));
    await model.setFaults({ qcdaPageSize: 2 });
    const { pages, areas } = await allChangedAreas(model, WEB, s2, D0, id1, 2 * GiB);
    assert.ok(pages.length >= 5, `forced paging: ${pages.length} pages`);
    for (const p of pages) assert.ok(p.changedArea.length <= 2);
    for (const off of offsets) assert.ok(covered(areas, off, 1000), `page set covers ${off}`);
    await assert.rejects(model.queryChangedDiskAreas(WEB, s2, D0, 2 * GiB, id1), isFault("InvalidArgument"), "start at capacity");
    await assert.rejects(model.queryChangedDiskAreas(WEB, s2, D0, -1, id1), isFault("InvalidArgument"));
    assert.equal(model.faults().qcdaPageSize, 2);
    assert.ok(s1);
  });
});

test("QCDA faults: unknown disk, foreign snapshot, malformed/future changeId, epoch reset", async () => {
  await withLab("minimal", async (model) => {
    await model.reconfigure(WEB, { changeTrackingEnabled: true });
    await model.reconfigure("vm-104", { changeTrackingEnabled: true });
    const s1 = await model.createSnapshot(WEB, snap("s1"));
    const other = await model.createSnapshot("vm-104", snap("o1"));
    const id1 = model.vm(WEB).snapshots[0]!.disks[D0]!.changeId!;
    const p = parseChangeId(id1)!;
    await assert.rejects(model.queryChangedDiskAreas(WEB, s1, 2999, 0, id1), isFault("InvalidArgument"), "unknown disk");
    await assert.rejects(model.queryChangedDiskAreas(WEB, other, D0, 0, id1), isFault("InvalidArgument"), "snapshot of another VM");
    await assert.rejects(model.queryChangedDiskAreas(WEB, s1, D0, 0, "garbage"), isFault("InvalidArgument"), "malformed");
    await assert.rejects(model.queryChangedDiskAreas(WEB, s1, D0, 0, `${p.epoch}/${p.seq + 5}`), isFault("InvalidArgument"), "future seq");
    const foreign = parseChangeId(model.vm("vm-104").snapshots[0]!.disks[2000]!.changeId!)!;
    await assert.rejects(model.queryChangedDiskAreas(WEB, s1, D0, 0, `${foreign.epoch}/${p.seq}`), isFault("FileFault"), "other epoch");

    await model.cbtReset(WEB);
    await assert.rejects(model.queryChangedDiskAreas(WEB, s1, D0, 0, id1), isFault("FileFault"), "snapshot from before the reset");
    await assert.rejects(model.queryChangedDiskAreas(WEB, null, D0, 0, id1), isFault("FileFault"), "old epoch after reset");
    const s2 = await model.createSnapshot(WEB, snap("s2"));
    const id2 = model.vm(WEB).snapshots.find((s) => s.moref === s2)!.disks[D0]!.changeId!;
    assert.notEqual(parseChangeId(id2)!.epoch, p.epoch, "reset starts a new epoch");
    const all = await allChangedAreas(model, WEB, s2, D0, "*", 2 * GiB);
    assert.ok(covered(all.areas, 64 * MiB, 4 * MiB), "'*' still works after a reset (full re-copy)");
  });
});

test("persistence: close and reopen keeps content, snapshots, changeIds, CBT state and faults", async () => {
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { openLabModel } = await import("../../../src/lab/model/index");
  const dir = await mkdtemp(join(tmpdir(), "v2k-labmodel-"));
  try {
    let model = await openLabModel(dir, { scenario: "minimal" });
    await model.reconfigure(WEB, { changeTrackingEnabled: true });
    const s1 = await model.createSnapshot(WEB, snap("s1"));
    const id1 = model.vm(WEB).snapshots[0]!.disks[16000]!.changeId!;
    await model.guestWrite(WEB, 16000, 123 * MiB, 777, 3);
    await model.setFaults({ qcdaPageSize: 7, failNextTask: { PowerOff: "nope" } });
    const before = { vm: model.vm(WEB), hash: await model.diskHash(WEB, 16000, null), frozen: await model.diskHash(WEB, 16000, s1) };
    const q = await model.queryChangedDiskAreas(WEB, null, 16000, 0, id1);
    await model.close();

    model = await openLabModel(dir, { scenario: "default" }); // scenario ignored: the dir holds a lab
    try {
      assert.equal(model.inventory().vms.length, 2);
      assert.deepEqual(model.vm(WEB), before.vm);
      assert.equal(await model.diskHash(WEB, 16000, null), before.hash);
      assert.equal(await model.diskHash(WEB, 16000, s1), before.frozen);
      assert.deepEqual(await model.queryChangedDiskAreas(WEB, null, 16000, 0, id1), q);
      assert.equal(model.faults().qcdaPageSize, 7);
      await assert.rejects(model.powerOff(WEB), (e: unknown) => e instanceof LabFault && e.message === "nope");
      await model.removeSnapshot(s1, { removeChildren: false, consolidate: true });
      assert.equal(await model.diskHash(WEB, 16000, null), before.hash);
    } finally {
      await model.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
