// Host copy limits from the host config file, and the slots a disk copy takes (host, ESXi host, datastore).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HOST_LIMIT_DEFAULTS, hostCopyLimits } from "../../../src/helper/config/host-config";
import { copySlotRequests, describeBusy } from "../../../src/helper/sync/copy-slots";
import { copyLimitsOf } from "../../../src/helper/commands/copy-limit-options";
import { sampleManifest, tempDir } from "./fixtures";

test("host limits: defaults without a config file, keys from it, env moves the slots", (t) => {
  const d = tempDir(t);
  assert.deepEqual(hostCopyLimits({ ABLESTACK_V2K_CONFIG: join(d, "missing.conf") }), { ...HOST_LIMIT_DEFAULTS });
  const conf = join(d, "a.conf");
  writeFileSync(
    conf,
    "# limits\nmax-parallel-disks=2\nmax-disks-per-esxi-host = 3\nmax-disks-per-datastore=0\nbwlimit=12.5\nslots-dir=/x\n",
  );
  assert.deepEqual(hostCopyLimits({ ABLESTACK_V2K_CONFIG: conf }), {
    maxParallelDisks: 2,
    maxDisksPerEsxiHost: 3,
    maxDisksPerDatastore: 0,
    bwlimitMBps: 12.5,
    slotsDir: "/x",
  });
  assert.equal(hostCopyLimits({ ABLESTACK_V2K_CONFIG: conf, ABLESTACK_V2K_SLOTS_DIR: "/y" }).slotsDir, "/y");
  writeFileSync(conf, "max-parallel-disks=many\n");
  assert.throws(
    () => hostCopyLimits({ ABLESTACK_V2K_CONFIG: conf }),
    (e: { code?: string }) => e.code === "USAGE",
  );
});

test("--max-parallel-disks overrides the host's value for one migration; --bwlimit is the migration's own", (t) => {
  const d = tempDir(t);
  const conf = join(d, "b.conf");
  writeFileSync(conf, "max-parallel-disks=2\nbwlimit=100\n");
  const saved = process.env["ABLESTACK_V2K_CONFIG"];
  process.env["ABLESTACK_V2K_CONFIG"] = conf;
  t.after(() => (saved === undefined ? delete process.env["ABLESTACK_V2K_CONFIG"] : (process.env["ABLESTACK_V2K_CONFIG"] = saved)));
  assert.equal(copyLimitsOf({}).maxParallelDisks, 2);
  const l = copyLimitsOf({ "max-parallel-disks": 6, bwlimit: 20 });
  assert.equal(l.maxParallelDisks, 6);
  assert.equal(l.migrationBwlimitMBps, 20);
  assert.equal(l.bwlimitMBps, 100, "the host-wide limit stays");
});

test("a disk copy takes the host's slot, its ESXi host's and its datastore's (NFC limits)", () => {
  const m = sampleManifest();
  const disk = m.disks[0]!;
  const reqs = copySlotRequests(m, disk, { ...HOST_LIMIT_DEFAULTS, maxParallelDisks: 2, maxDisksPerEsxiHost: 3, maxDisksPerDatastore: 1 });
  assert.deepEqual(
    reqs.map((r) => [r.resource, r.limit]),
    [
      ["disks", 2],
      [`esxi-${m.vm.host}`, 3],
      [`datastore-${disk.datastore}`, 1],
      ["active-copies", 4096],
    ],
  );
  assert.equal(
    describeBusy([
      { resource: "disks", limit: 2, holders: ["a disk 1", "b disk 1"] },
      { resource: "datastore-ds 1", limit: 1, holders: ["c disk 2"] },
    ]),
    "host-wide disk copies 2/2 busy (a disk 1, b disk 1); copies from datastore ds 1 1/1 busy (c disk 2)",
  );
});
