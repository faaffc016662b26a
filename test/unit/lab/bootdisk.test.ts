// boot01's disk in the lab really boots Linux under QEMU (TCG) to its serial marker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { bootToMarker } from "../../../src/lab/bootdisk/boot-check";
import { bootMarker } from "../../../src/lab/bootdisk/build";
import { withLab } from "./helpers";

test("boot01's base disk boots to 'V2K-BOOT-OK boot01' on ttyS0", { timeout: 120_000 }, async () => {
  await withLab("minimal", async (model, dir) => {
    const boot01 = model.findVm("boot01");
    const disk = boot01.disks[0]!;
    assert.equal(disk.baseFileName, "[ds1] boot01/boot01.vmdk");
    const flat = join(dir, "datastores/ds1/boot01/boot01-flat.vmdk");
    const r = await bootToMarker({ image: flat, marker: bootMarker("boot01"), timeoutMs: 60_000 });
    assert.ok(r.booted, `no marker within 60 s; console tail:\n${r.console}`);
    // the image stays thin in the lab: only the FAT's used clusters are allocated
    const all = model.openDatastoreFile("ds1", "boot01/boot01-flat.vmdk");
    assert.equal(all.size, disk.capacityBytes);
  });
});

test("a disk without the boot image does not print the marker (the check can fail)", { timeout: 60_000 }, async () => {
  await withLab("minimal", async (_model, dir) => {
    const r = await bootToMarker({
      image: join(dir, "datastores/ds2/web01/web01_1-flat.vmdk"),
      marker: bootMarker("boot01"),
      timeoutMs: 4_000,
    });
    assert.equal(r.booted, false);
  });
});
