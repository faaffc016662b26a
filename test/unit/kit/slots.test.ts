// Host-wide slot semaphores: limits, all-or-nothing, waiting (and saying so), a SIGKILLed holder reclaimed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { acquireSlots, slotHolders, slotWaiters, tryAcquireSlots, type SlotHold } from "../../../src/kit/slots";
import { Pacer } from "../../../src/helper/sync/pacing";

function root(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), "v2k-slots-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function held(r: SlotHold | unknown[]): SlotHold {
  assert.ok(!Array.isArray(r), `expected the slots, got busy ${JSON.stringify(r)}`);
  return r as SlotHold;
}

test("a resource with limit 2 admits two holders, the third finds it busy and names the holders", (t) => {
  const d = root(t);
  const a = held(tryAcquireSlots(d, [{ resource: "disks", limit: 2 }], "web01 disk 1"));
  const b = held(tryAcquireSlots(d, [{ resource: "disks", limit: 2 }], "web02 disk 1"));
  const c = tryAcquireSlots(d, [{ resource: "disks", limit: 2 }], "web03 disk 1");
  assert.ok(Array.isArray(c));
  assert.equal(c[0]!.resource, "disks");
  assert.deepEqual(c[0]!.holders.map((h) => h.command).sort(), ["web01 disk 1", "web02 disk 1"]);
  assert.equal(slotHolders(d, "disks").length, 2);
  a.release();
  const c2 = held(tryAcquireSlots(d, [{ resource: "disks", limit: 2 }], "web03 disk 1"));
  assert.deepEqual(c2.held, [{ resource: "disks", slot: 0 }]);
  b.release();
  c2.release();
  assert.equal(slotHolders(d, "disks").length, 0);
});

test("several resources are taken all or nothing; limit 0 means unlimited", (t) => {
  const d = root(t);
  const ds = held(tryAcquireSlots(d, [{ resource: "datastore-ds 1", limit: 1 }], "x"));
  const r = tryAcquireSlots(
    d,
    [
      { resource: "disks", limit: 4 },
      { resource: "datastore-ds 1", limit: 1 },
    ],
    "y",
  );
  assert.ok(Array.isArray(r));
  assert.deepEqual(
    r.map((b) => b.resource),
    ["datastore-ds 1"],
  );
  assert.equal(slotHolders(d, "disks").length, 0, "the host slot taken on the way was given back");
  ds.release();
  const unlimited = held(tryAcquireSlots(d, [{ resource: "disks", limit: 0 }], "z"));
  assert.deepEqual(unlimited.held, []);
});

test("a waiting acquirer says what it waits for (waiter file) and proceeds when a slot frees", async (t) => {
  const d = root(t);
  const first = held(tryAcquireSlots(d, [{ resource: "disks", limit: 1 }], "web01 disk 1"));
  const waits: string[] = [];
  const pending = acquireSlots(d, [{ resource: "disks", limit: 1 }], {
    holder: "web02 disk 1",
    pollMs: 50,
    waiterInfo: { workdir: "/w/web02" },
    onWait: (busy) => waits.push(busy.map((b) => `${b.resource}:${b.holders.map((h) => h.command)}`).join()),
  });
  await new Promise((r) => setTimeout(r, 200));
  const waiters = slotWaiters(d);
  assert.equal(waiters.length, 1);
  assert.equal(waiters[0]!["workdir"], "/w/web02");
  assert.deepEqual(waiters[0]!.for, [{ resource: "disks", limit: 1, holders: ["web01 disk 1"] }]);
  assert.deepEqual(waits, ["disks:web01 disk 1"]);
  first.release();
  const second = await pending;
  assert.deepEqual(second.held, [{ resource: "disks", slot: 0 }]);
  assert.equal(slotWaiters(d).length, 0, "the waiter file is gone once the slot is taken");
  second.release();
});

test("a cancelled wait rejects and leaves no waiter file", async (t) => {
  const d = root(t);
  const first = held(tryAcquireSlots(d, [{ resource: "disks", limit: 1 }], "a"));
  const ac = new AbortController();
  const pending = acquireSlots(d, [{ resource: "disks", limit: 1 }], { holder: "b", pollMs: 50, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 120));
  ac.abort(new Error("cancelled"));
  await assert.rejects(pending, /cancelled/);
  assert.deepEqual(readdirSync(join(d, "waiting")), []);
  first.release();
});

test("a slot held by a process killed with SIGKILL is reclaimed by the next acquirer", async (t) => {
  const d = root(t);
  const slots = resolve("src/kit/slots.ts");
  const script =
    `import { tryAcquireSlots } from ${JSON.stringify(slots)};` +
    `const r = tryAcquireSlots(${JSON.stringify(d)}, [{ resource: "disks", limit: 1 }], "killed helper");` +
    `console.log(Array.isArray(r) ? "busy" : "held"); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill("SIGKILL"));
  const line = await new Promise<string>((res) => child.stdout.once("data", (b: Buffer) => res(b.toString().trim())));
  assert.equal(line, "held");
  const busy = tryAcquireSlots(d, [{ resource: "disks", limit: 1 }], "next");
  assert.ok(Array.isArray(busy), "the live child holds the only slot");
  assert.equal(busy[0]!.holders[0]!.pid, child.pid);
  child.kill("SIGKILL");
  await new Promise((res) => child.once("exit", res));
  const mine = held(tryAcquireSlots(d, [{ resource: "disks", limit: 1 }], "next"));
  assert.equal(slotHolders(d, "disks")[0]!.pid, process.pid);
  mine.release();
});

test("the pacer spaces reads to its rate; a zero rate is unlimited", async () => {
  const pacer = new Pacer(() => 4e6); // 4 MB/s
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) await pacer.take(2e6);
  const elapsed = (Date.now() - t0) / 1000;
  // the 5th read may start once 10 MB - its own 2 MB - a 1 MB burst have "passed": 1.75 s
  assert.ok(elapsed >= 1.7, `starting 5 x 2 MB reads at 4 MB/s took ${elapsed} s`);
  const unlimited = new Pacer(() => 0);
  const t1 = Date.now();
  for (let i = 0; i < 100; i++) await unlimited.take(1e9);
  assert.ok(Date.now() - t1 < 500);
});
