// RBD targets as init and preflight plan and check them: the image per disk (target map, else <vm>-disk<N>),
// the pool's MAX AVAIL against the provisioned sizes. The cluster's `ceph df` answer is a recorded reply here:
// a single-node test cluster's MAX AVAIL cannot be driven below a VM's size (quota and replica count leave it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkPoolSpace, planRbdTargets } from "../../../src/helper/preflight/rbd-targets";
import { type CephCli } from "../../../src/helper/storage/rbd/index";
import { V2kError } from "../../../src/shared/v2k-error";

const GiB = 2 ** 30;
const inv = {
  name: "web 01",
  controllers: [
    { key: 1000, type: "pvscsi", busNumber: 0 },
    { key: 15000, type: "sata", busNumber: 0 },
  ],
  disks: [
    { key: 2000, controllerKey: 1000, unitNumber: 0, label: "Hard disk 1", capacityBytes: 2 * GiB },
    { key: 16000, controllerKey: 15000, unitNumber: 0, label: "Hard disk 2", capacityBytes: 1 * GiB },
  ],
} as unknown as Parameters<typeof planRbdTargets>[1];

test("planned images: <vm>-disk<N> in the pool, the target map's per disk, USAGE for a disk without one", () => {
  const names = (r: Parameters<typeof planRbdTargets>[0]) => planRbdTargets(r, inv).map((t) => `${t.name.pool}/${t.name.image}`);
  assert.deepEqual(names({ rbdPool: "glue" }), ["glue/web_01-disk0", "glue/web_01-disk1"]);
  assert.deepEqual(names({ rbdPool: "glue", targetMapJson: '{"sata0:0":"rbd:fast/data"}' }), ["glue/web_01-disk0", "fast/data"]);
  assert.throws(
    () => names({ targetMapJson: '{"scsi0:0":"rbd:fast/root"}' }),
    (e: unknown) => e instanceof V2kError && e.code === "USAGE" && /Hard disk 2 \(sata0:0\)/.test(e.message),
  );
});

test("pool space: each pool's MAX AVAIL against the disks planned in it; a missing pool is RBD_POOL_MISSING", async () => {
  const df = (pools: [string, number][]) =>
    ({
      ceph: async () => ({
        stdout: JSON.stringify({ pools: pools.map(([name, avail]) => ({ name, stats: { max_avail: avail, stored: 0 } })) }),
        exitCode: 0,
      }),
    }) as unknown as CephCli;
  const both = planRbdTargets({ rbdPool: "glue" }, inv);
  const ok = await checkPoolSpace(df([["glue", 3 * GiB]]), both);
  assert.deepEqual(ok, [{ name: "glue", maxAvailBytes: 3 * GiB, storedBytes: 0, neededBytes: 3 * GiB }]);
  await assert.rejects(
    checkPoolSpace(df([["glue", 3 * GiB - 1]]), both),
    (e: unknown) =>
      e instanceof V2kError && e.code === "DST_TOO_SMALL" && /pool 'glue' can take 3\.00 GiB, the VM's disks need 3\.00/.test(e.message),
  );
  // split over two pools: each holds only its own disks
  const split = planRbdTargets({ rbdPool: "glue", targetMapJson: '{"1":"rbd:fast/data"}' }, inv);
  await checkPoolSpace(
    df([
      ["glue", 2 * GiB],
      ["fast", 1 * GiB],
    ]),
    split,
  );
  await assert.rejects(
    checkPoolSpace(
      df([
        ["glue", 2 * GiB],
        ["fast", GiB / 2],
      ]),
      split,
    ),
    (e: unknown) => e instanceof V2kError && e.code === "DST_TOO_SMALL" && /pool 'fast'/.test(e.message),
  );
  await assert.rejects(
    checkPoolSpace(df([["other", 9 * GiB]]), both),
    (e: unknown) => e instanceof V2kError && e.code === "RBD_POOL_MISSING",
  );
});
