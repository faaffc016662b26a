// Randomised check of the snapshot chain and CBT against a plain reference: random guest writes,
// snapshot creates and removals (middle ones, with children, with and without consolidation). Every
// surviving snapshot and the current content must hash like the reference replay, and QCDA between
// consecutive snapshots must cover every write in between.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { guestPattern } from "../../../src/lab/model/index";
import { MiB, allChangedAreas, covered, withLab } from "./helpers";

const VM = "vm-104"; // boot01: 128 MiB disk with real content (the boot image)
const KEY = 2000;
const CAP = 128 * MiB;

interface Write {
  offset: number;
  length: number;
  seed: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

for (const seed of [1, 3, 4]) {
  test(`random snapshot/write/remove sequence ${seed} matches the reference`, { timeout: 120_000 }, async () => {
    await withLab("minimal", async (model) => {
      const rand = rng(seed);
      await model.reconfigure(VM, { changeTrackingEnabled: true });
      const flat = model.openDatastoreFile("ds1", "boot01/boot01-flat.vmdk");
      const initial = await flat.read(0, CAP);
      const writes: Write[] = [];
      // per live snapshot: how many writes its frozen content includes, and its changeId
      const snaps = new Map<string, { upTo: number; changeId: string }>();
      const order: string[] = [];
      const expectedHash = (upTo: number) => {
        const buf = Buffer.from(initial);
        for (const w of writes.slice(0, upTo)) guestPattern(w.seed, w.offset, w.length).copy(buf, w.offset);
        return createHash("sha256").update(buf).digest("hex");
      };

      for (let step = 0; step < 30; step++) {
        const r = rand();
        if (r < 0.5) {
          const length = 1 + Math.floor(rand() * 200_000);
          const offset = Math.floor(rand() * (CAP - length));
          const w = { offset, length, seed: step + 1000 * seed };
          await model.guestWrite(VM, KEY, w.offset, w.length, w.seed);
          writes.push(w);
        } else if (r < 0.78 || order.length === 0) {
          const moref = await model.createSnapshot(VM, { name: `r${step}`, description: "", memory: false, quiesce: false });
          const changeId = model.vm(VM).snapshots.find((s) => s.moref === moref)!.disks[KEY]!.changeId!;
          snaps.set(moref, { upTo: writes.length, changeId });
          order.push(moref);
        } else {
          const victim = order[Math.floor(rand() * order.length)]!;
          const removeChildren = rand() < 0.3;
          const consolidate = rand() < 0.5;
          await model.removeSnapshot(victim, { removeChildren, consolidate });
          const gone = removeChildren ? order.slice(order.indexOf(victim)) : [victim];
          for (const g of gone) snaps.delete(g);
          order.splice(0, order.length, ...order.filter((m) => !gone.includes(m)));
          if (!consolidate) assert.equal(model.vm(VM).consolidationNeeded, true);
        }
      }
      assert.deepEqual(
        model.vm(VM).snapshots.map((s) => s.moref),
        order,
        "snapshot list in creation order",
      );
      assert.equal(await model.diskHash(VM, KEY, null), expectedHash(writes.length), "current content");
      for (const m of order) assert.equal(await model.diskHash(VM, KEY, m), expectedHash(snaps.get(m)!.upTo), `frozen content of ${m}`);

      for (let i = 1; i < order.length; i++) {
        const prev = snaps.get(order[i - 1]!)!;
        const cur = snaps.get(order[i]!)!;
        const { areas } = await allChangedAreas(model, VM, order[i]!, KEY, prev.changeId, CAP);
        for (const w of writes.slice(prev.upTo, cur.upTo))
          assert.ok(covered(areas, w.offset, w.length), `QCDA ${order[i]} since ${order[i - 1]} covers write at ${w.offset}`);
      }
      await model.consolidateDisks(VM);
      assert.equal(model.vm(VM).consolidationNeeded, false);
      assert.equal(await model.diskHash(VM, KEY, null), expectedHash(writes.length), "current content after consolidation");
      for (const m of order)
        assert.equal(await model.diskHash(VM, KEY, m), expectedHash(snaps.get(m)!.upTo), `frozen content of ${m} after consolidation`);
    });
  });
}
