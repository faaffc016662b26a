// More host behaviour of the lab model: disk extension, descriptors and chain files, guest data
// determinism, a guest shutdown that completes across a lab restart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { LabFault, guestPattern, openLabModel } from "../../../src/lab/model/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { GiB, MiB, allChangedAreas, covered, withLab } from "./helpers";

const WEB = "vm-101";
const snap = (name: string) => ({ name, description: "", memory: false, quiesce: false });

test("guest data depends only on seed and absolute offset", () => {
  const whole = guestPattern(42, 1000, 5000);
  assert.deepEqual(guestPattern(42, 1003, 17), whole.subarray(3, 20));
  assert.deepEqual(guestPattern(42, 5 * GiB + 1, 8), guestPattern(42, 5 * GiB + 1, 8));
  assert.notDeepEqual(guestPattern(42, 5 * GiB, 64), guestPattern(42, 1 * GiB, 64), "offsets above 4 GiB differ from low ones");
  assert.notDeepEqual(guestPattern(43, 1000, 64), whole.subarray(0, 64));
});

test("disk extension: grows without snapshots, refused with snapshots or when shrinking; CBT ids stay valid", async () => {
  await withLab("minimal", async (model) => {
    await model.reconfigure(WEB, { changeTrackingEnabled: true });
    await model.powerOff(WEB);
    await model.powerOn(WEB);
    const id = model.currentDiskBacking(WEB, 16000).changeId!;
    const before = await model.diskHash(WEB, 16000, null);
    await model.reconfigure(WEB, { disks: [{ key: 16000, capacityBytes: 2 * GiB }] });
    assert.equal(model.vm(WEB).disks[1]!.capacityBytes, 2 * GiB);
    assert.equal(model.openDatastoreFile("ds2", "web01/web01_1-flat.vmdk").size, 2 * GiB);
    assert.notEqual(await model.diskHash(WEB, 16000, null), before, "hash covers the grown capacity");
    await model.guestWrite(WEB, 16000, 1536 * MiB, 4096, 4);
    const s1 = await model.createSnapshot(WEB, snap("after-grow"));
    const areas = (await allChangedAreas(model, WEB, s1, 16000, id, 2 * GiB)).areas;
    assert.ok(covered(areas, 1536 * MiB, 4096), "a write in the new area is tracked");
    await assert.rejects(
      model.reconfigure(WEB, { disks: [{ key: 16000, capacityBytes: 3 * GiB }] }),
      (e: unknown) => e instanceof LabFault && e.fault === "InvalidState",
    );
    await model.removeSnapshot(s1, { removeChildren: false, consolidate: true });
    await assert.rejects(
      model.reconfigure(WEB, { disks: [{ key: 16000, capacityBytes: GiB }] }),
      (e: unknown) => e instanceof LabFault && e.fault === "InvalidArgument",
    );
  });
});

test("descriptors and chain files are served like datastore files", async () => {
  await withLab("minimal", async (model) => {
    const s1 = await model.createSnapshot(WEB, snap("s1"));
    await model.guestWrite(WEB, 0, 0, 100_000, 1);
    const files = model.diskFiles(WEB, 2000);
    assert.deepEqual(
      files.map((f) => [f.descriptor, f.dataFile, f.snapshot]),
      [
        ["[ds1] web01/web01.vmdk", "[ds1] web01/web01-flat.vmdk", null],
        ["[ds1] web01/web01-000001.vmdk", "[ds1] web01/web01-000001-delta.vmdk", s1],
      ],
    );
    assert.equal(files[1]!.allocatedBytes, 2 * 64 * 1024, "two grains written in the delta");
    assert.ok(files[0]!.allocatedBytes >= 7 * MiB);
    const d = model.openDatastoreFile("ds1", "web01/web01-000001.vmdk");
    const text = (await d.read(0, d.size)).toString("utf8");
    assert.match(text, /createType="vmfsSparse"/);
    assert.match(text, /parentFileNameHint="web01.vmdk"/);
    assert.match(text, new RegExp(`RW ${(2 * GiB) / 512} VMFSSPARSE "web01-000001-delta.vmdk"`));
    const base = model.openDatastoreFile("[ds1] web01/web01.vmdk", "");
    assert.match((await base.read(0, base.size)).toString(), /RW 4194304 VMFS "web01-flat.vmdk"/);
  });
});

test("a guest shutdown in progress completes after a lab restart", async () => {
  const dir = await mkdtemp(join(tmpdir(), "v2k-labmodel-"));
  try {
    let model = await openLabModel(dir, { scenario: "minimal" });
    await model.shutdownGuest(WEB);
    await model.close();
    model = await openLabModel(dir);
    try {
      const deadline = Date.now() + 10_000;
      while (model.vm(WEB).powerState === "poweredOn" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.equal(model.vm(WEB).powerState, "poweredOff");
    } finally {
      await model.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("one lab process per dir: a second open is refused, a stale lock is taken over", async () => {
  await withLab("minimal", async (model, dir) => {
    await assert.rejects(openLabModel(dir), (e: unknown) => e instanceof V2kError && e.code === "LAB_ALREADY_RUNNING");
    await model.close();
    await writeFile(join(dir, "lab-model.lock"), "999999999\n"); // a pid that does not exist
    const again = await openLabModel(dir);
    try {
      assert.equal(again.inventory().vms.length, 2);
    } finally {
      await again.close();
    }
  });
});
