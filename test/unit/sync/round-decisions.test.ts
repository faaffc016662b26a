// Round decisions against the in-process vSphere fake (the lab model's CBT and snapshot semantics),
// with the data side recorded instead of copied: which areas each disk copies and why, which
// snapshots are created and removed. No python, no nbdkit: each round takes milliseconds.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { type FakeVsphere } from "../../support/fake-vsphere";
import { FakeMigrations } from "../../support/fake-migration";
import { type Workdir } from "../../../src/helper/state/index";
import { cbtEnable, runRoundWith, type DiskDataPath, type CopyMode, type RoundKind } from "../../../src/helper/sync/index";
import { type CopyStats } from "../../../src/helper/engine/index";
import { V2kError } from "../../../src/shared/v2k-error";

let world: FakeMigrations;
let fake: FakeVsphere;

before(async () => {
  world = await FakeMigrations.open("v2k-round-");
  fake = world.fake;
});
after(() => world?.close());

interface Copied {
  disk: number;
  areas: [number, number][];
  mode: CopyMode;
}

/** Records what each disk would copy; the target of a disk reads as zeros until its first copy. */
function recorder(): DiskDataPath & { copies: Copied[] } {
  const written = new Set<number>();
  const copies: Copied[] = [];
  return {
    copies,
    targetReadsAsZeros: async (disk) => !written.has(disk.key),
    copy: async (_c, disk, _snap, areas, mode): Promise<CopyStats> => {
      copies.push({ disk: disk.key, areas, mode });
      written.add(disk.key);
      const bytes = areas.reduce((n, a) => n + a[1], 0);
      return {
        totalBytes: bytes,
        bytesRead: bytes,
        bytesWritten: bytes,
        bytesZeroed: 0,
        bytesSkipped: 0,
        requests: 1,
        workers: 1,
        durationMs: 1,
        mbPerSec: 0,
        flushedAt: new Date().toISOString(),
      };
    },
  };
}

/** A migration of one fleet VM, CBT enabled through the real step (stun snapshot and all). */
async function migrationOf(vmName: string): Promise<{ wd: Workdir; moref: string }> {
  const migration = await world.migrationOf(vmName);
  await cbtEnable(migration.wd, fake);
  return migration;
}

const round = (wd: Workdir, data: DiskDataPath, kind: RoundKind) => runRoundWith(wd, { api: fake, data }, { kind });

test("a CBT reset between rounds makes the next round re-read every allocated area; otherwise only the changes", async (t) => {
  const { wd, moref } = await migrationOf("fleet01");
  t.after(() => wd.release());
  const data = recorder();
  const base = await round(wd, data, "base");
  assert.equal(base.snapshot !== null && base.rebased.length === 0, true);
  const allocated = data.copies.find((c) => c.disk === 2000)!;
  assert.deepEqual(allocated.mode, { zeroUnlisted: false, targetIsZero: true }, "the base copy writes into a fresh target");
  assert.equal(wd.manifest.disks[0]!.syncedChangeId !== null, true);

  // a guest write of 1 MiB at 4 MiB: the incremental round copies exactly that
  await fake.model.guestWrite(moref, 0, 4 << 20, 1 << 20, 7);
  data.copies.length = 0;
  const incr = await round(wd, data, "incr");
  assert.deepEqual(incr.rebased, []);
  assert.deepEqual(data.copies.find((c) => c.disk === 2000)!.areas, [[4 << 20, 1 << 20]]);
  assert.equal(
    data.copies.find((c) => c.disk === 2001),
    undefined,
    "the untouched disk opens nothing: no copy at all",
  );
  const untouched = wd.manifest.rounds.at(-1)!.disks["2001"]!;
  assert.equal(untouched.status, "committed", "and still commits the round's changeId");
  assert.equal(wd.manifest.disks[1]!.syncedChangeId, untouched.changeIdTo);

  // CBT reset (a host crash): a new epoch, the last synced changeId is worthless
  await fake.model.cbtReset(moref);
  await fake.model.guestWrite(moref, 0, 4 << 20, 64 << 10, 8);
  data.copies.length = 0;
  const after = await round(wd, data, "incr");
  assert.deepEqual(after.rebased.sort(), [2000, 2001]);
  const full = data.copies.find((c) => c.disk === 2000)!;
  assert.deepEqual(full.areas, allocated.areas.length ? full.areas : [], "full re-read");
  const fullBytes = full.areas.reduce((n, a) => n + a[1], 0);
  assert.ok(fullBytes >= allocated.areas.reduce((n, a) => n + a[1], 0), `full re-read covers the allocated data (${fullBytes} bytes)`);
  assert.deepEqual(full.mode, { zeroUnlisted: true, targetIsZero: false }, "a rebase zeroes what is not allocated any more");
  const r = wd.manifest.rounds.at(-1)!;
  assert.equal(r.disks["2000"]!.changeIdFrom, "*");
  assert.equal(r.disks["2000"]!.rebase, true);
  assert.equal(wd.manifest.disks[0]!.needsRebase, null, "the rebase is done once committed");
  assert.ok(wd.manifest.warnings.some((w) => w.code === "DISK_REBASE" && /CBT epoch changed/.test(w.message)));
});

test("a leftover migration snapshot (a crashed round) is removed before the next round takes its own", async (t) => {
  const { wd, moref } = await migrationOf("fleet02");
  t.after(() => wd.release());
  const data = recorder();
  await round(wd, data, "base");
  // a round that crashed after its snapshot: recorded as ours, still on the VM
  const failing: DiskDataPath = {
    ...data,
    copy: async () => {
      throw new V2kError("NBD_SOURCE_FAILED", "datastore read failed", "re-run");
    },
  };
  const stale = await fake.snapshotCreate(moref, "ablestack-v2k leftover", "x");
  await wd.update((m) => {
    m.snapshots.push({
      name: "ablestack-v2k leftover",
      moref: stale.moref,
      round: 99,
      kind: "incr",
      state: "present",
      createdAt: new Date().toISOString(),
      purpose: "round",
    });
  });
  fake.calls.length = 0;
  await fake.model.guestWrite(moref, 0, 0, 64 << 10, 3); // a change: a disk without any starts no copy
  await assert.rejects(round(wd, failing, "incr"), (e: unknown) => e instanceof V2kError && e.code === "NBD_SOURCE_FAILED");
  const removeStale = fake.calls.indexOf(`snapshotRemove ${stale.moref}`);
  const create = fake.calls.findIndex((c) => c.startsWith(`snapshotCreate ${moref}`));
  assert.ok(removeStale >= 0 && create > removeStale, `leftover removed before the new snapshot: ${fake.calls.join(" | ")}`);
  // the failed round's own snapshot went too: nothing of ours is left on the VM
  const left = (await fake.vmState(moref)).snapshots;
  assert.deepEqual(left, []);
  assert.equal(wd.manifest.rounds.at(-1)!.status, "failed");
  // and the next round starts fresh and commits
  const next = await round(wd, data, "incr");
  assert.equal(next.alreadySynced, false);
  assert.equal(wd.manifest.rounds.at(-1)!.status, "synced");
  assert.deepEqual((await fake.vmState(moref)).snapshots, []);
});

test("a final round is refused while the source runs; a user's snapshot beside ours is refused on http", async (t) => {
  const { wd, moref } = await migrationOf("fleet03");
  t.after(() => wd.release());
  const data = recorder();
  await round(wd, data, "base");
  await assert.rejects(round(wd, data, "final"), (e: unknown) => e instanceof V2kError && e.code === "SOURCE_RUNNING");
  assert.equal(fake.callsOf(`snapshotCreate ${moref}`).length, 2, "no snapshot for a refused final round (stun + base only)");
  await fake.snapshotCreate(moref, "before patching", "a user's");
  data.copies.length = 0;
  await assert.rejects(round(wd, data, "incr"), (e: unknown) => e instanceof V2kError && e.code === "SNAPSHOT_FAILED");
  assert.equal(data.copies.length, 0, "nothing copied from a base that is not frozen");
  assert.deepEqual(
    (await fake.vmState(moref)).snapshots.map((s) => s.name),
    ["before patching"],
    "our snapshot removed, the user's kept",
  );
});

test("a disk's copy starts while its 'copying' record is written; the record is durable before the first write", async (t) => {
  const { wd, moref } = await migrationOf("fleet04");
  t.after(() => wd.release());
  const data = recorder();
  await round(wd, data, "base");
  await fake.model.guestWrite(moref, 0, 4 << 20, 64 << 10, 9);
  const seen: string[] = [];
  const watching: DiskDataPath = {
    ...data,
    copy: async (c, disk, snap, areas, mode, recorded) => {
      const on = () => wd.manifest.rounds.at(-1)!.disks[String(disk.key)]?.status ?? "none";
      seen.push(`called ${on()}`);
      await recorded;
      seen.push(`recorded ${on()}`);
      return data.copy(c, disk, snap, areas, mode, recorded);
    },
  };
  await round(wd, watching, "incr");
  assert.deepEqual(seen, ["called none", "recorded copying"], "the copy is not held back by the write, and waits for it to write");
  assert.equal(wd.manifest.rounds.at(-1)!.disks["2000"]!.status, "committed");
});
