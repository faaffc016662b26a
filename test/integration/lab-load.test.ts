// A bounded load test: 20 concurrent pyVmomi clients and 8 concurrent datastore range readers against
// one lab, without errors. Prints the figures.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { type TestLab, labControl, labRequest, pyvmomi, soapLogin, startTestLab } from "../support/lab";

let lab: TestLab;

before(async () => {
  lab = await startTestLab({ scenario: "minimal" });
});
after(async () => {
  await lab?.stop();
});

const CLIENTS = 20;
const ROUNDS = 2;
const READERS = 8;
const RANGE = 4 * 1024 * 1024;
const RANGES_PER_READER = 8;

test(`${CLIENTS} concurrent pyVmomi clients and ${READERS} concurrent datastore range readers, no errors`, async () => {
  const inv = await labControl(lab, "GET", "inventory");
  const vm = inv.vms[0];
  const disk = vm.disks[0];
  const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(disk.fileName)!;
  const path = `/folder/${m[2]}-flat.vmdk?dcPath=${lab.info.datacenter}&dsName=${m[1]}`;
  const cookie = await soapLogin(lab);

  const readers = async () => {
    const t0 = Date.now();
    const counts = await Promise.all(
      Array.from({ length: READERS }, async (_, r) => {
        let bytes = 0;
        for (let i = 0; i < RANGES_PER_READER; i++) {
          // spread the readers over the disk; each range aligned as a copy tool would request it
          const slot = (r * RANGES_PER_READER + i) % Math.floor(disk.capacityBytes / RANGE);
          const start = slot * RANGE;
          const res = await labRequest(lab, {
            method: "GET",
            path,
            headers: { Cookie: cookie, Range: `bytes=${start}-${start + RANGE - 1}` },
          });
          assert.equal(res.status, 206, `reader ${r} range ${i}`);
          assert.equal(res.body.length, RANGE);
          bytes += res.body.length;
        }
        return bytes;
      }),
    );
    return { bytes: counts.reduce((a, b) => a + b, 0), seconds: (Date.now() - t0) / 1000 };
  };

  const [load, reads] = await Promise.all([
    pyvmomi("load.py", { ...lab.info, clients: CLIENTS, rounds: ROUNDS, vm: vm.moref }, { timeoutMs: 150_000 }),
    readers(),
  ]);
  const failed = load.clients.filter((c: any) => c.errors.length > 0);
  assert.deepEqual(failed, [], "no client saw an error");
  assert.equal(load.clients.length, CLIENTS);
  const calls = load.clients.reduce((a: number, c: any) => a + c.calls, 0);
  const slowest = Math.max(...load.clients.map((c: any) => c.seconds));
  console.log(
    `load: ${CLIENTS} pyVmomi clients, ${calls} SOAP calls in ${load.wall.toFixed(1)} s (${(calls / load.wall).toFixed(0)} calls/s, slowest client ${slowest.toFixed(1)} s)`,
  );
  console.log(
    `load: ${READERS} range readers, ${(reads.bytes / 2 ** 20).toFixed(0)} MiB in ${reads.seconds.toFixed(1)} s (${(reads.bytes / 1e6 / reads.seconds).toFixed(0)} MB/s) while the clients ran`,
  );
  assert.equal(reads.bytes, READERS * RANGES_PER_READER * RANGE);
  // the lab still answers normally afterwards
  const after = await labRequest(lab, { method: "GET", path: "/sdk/vimServiceVersions.xml" });
  assert.equal(after.status, 200);
});
