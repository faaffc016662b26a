// Changed block tracking end to end through pyVmomi: guest writes between snapshots, QueryChangedDiskAreas
// paged to full coverage (covers every written block, false positives only at block granularity), and
// datastore reads over /folder with Range that equal the model's own disk hash.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { GRAIN } from "../../src/lab/model/index";
import { type TestLab, labControl, labOps, labRequest, soapLogin, startTestLab } from "../support/lab";

let lab: TestLab;
let web: any;

before(async () => {
  lab = await startTestLab({ scenario: "default" });
  web = (await labControl(lab, "GET", "inventory")).vms.find((v: any) => v.name === "web01");
});
after(async () => {
  await lab?.stop();
});

const ok = (r: any) => {
  assert.ok(r && "ok" in r, `expected success, got ${JSON.stringify(r)}`);
  return r.ok;
};

/** Deterministic scattered writes: n writes of 1..3 grains plus an odd-sized one, never overlapping. */
function scatteredWrites(n: number, capacity: number, seed: number): { offset: number; length: number }[] {
  let x = seed;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const slots = Math.floor(capacity / (8 * GRAIN));
  const used = new Set<number>();
  const out: { offset: number; length: number }[] = [];
  while (out.length < n) {
    const slot = Math.floor(rnd() * slots);
    if (used.has(slot)) continue;
    used.add(slot);
    const offset = slot * 8 * GRAIN + Math.floor(rnd() * GRAIN);
    out.push({ offset, length: 1 + Math.floor(rnd() * 3 * GRAIN) });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

async function snapshotWithIds(vm: string, name: string): Promise<{ moref: string; ids: Map<number, string> }> {
  const [created] = await labOps(lab, [{ op: "snapshot_create_ids", vm, name }]);
  return { moref: ok(created).result as string, ids: new Map(ok(created).disks.map((d: any) => [d.key, d.changeId])) };
}

function assertCovers(areas: [number, number][], writes: { offset: number; length: number }[]): void {
  const sorted = [...areas].sort((a, b) => a[0] - b[0]);
  for (const w of writes) {
    // every byte of the write lies inside the union of areas
    let pos = w.offset;
    for (const [s, l] of sorted) if (s <= pos && s + l > pos) pos = Math.max(pos, s + l);
    assert.ok(pos >= w.offset + w.length, `write ${w.offset}+${w.length} not covered`);
  }
  for (const [s, l] of sorted) {
    // every reported grain holds some written byte: false positives only within a grain
    for (let g = Math.floor(s / GRAIN) * GRAIN; g < s + l; g += GRAIN) {
      assert.ok(
        writes.some((w) => w.offset < g + GRAIN && w.offset + w.length > g),
        `area ${s}+${l}: grain at ${g} was never written`,
      );
    }
  }
}

async function folderHash(cookie: string, fileName: string, size: number, rangeBytes: number): Promise<string> {
  const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(fileName)!;
  const path = `/folder/${encodeURI(m[2]!)}-flat.vmdk?dcPath=${encodeURIComponent(lab.info.datacenter)}&dsName=${encodeURIComponent(m[1]!)}`;
  const h = createHash("sha256");
  for (let off = 0; off < size; off += rangeBytes) {
    const end = Math.min(size, off + rangeBytes) - 1;
    const r = await labRequest(lab, { method: "GET", path, headers: { Cookie: cookie, Range: `bytes=${off}-${end}` } });
    assert.equal(r.status, 206);
    assert.equal(r.headers["content-range"], `bytes ${off}-${end}/${size}`);
    assert.equal(r.body.length, end - off + 1);
    h.update(r.body);
  }
  return h.digest("hex");
}

test("QCDA after guest writes covers exactly the written blocks, paged to full coverage; a CBT reset invalidates old ids", async () => {
  const vm = web.moref;
  const disk0 = web.disks[0];
  const disk1 = web.disks[1];
  const [cbt] = await labOps(lab, [{ op: "reconfig", vm, cbt: true }]);
  assert.equal(ok(cbt).state, "success");

  // Round 0: base snapshot; "*" lists the allocated areas (the scenario's seeded data among them).
  const s1 = await snapshotWithIds(vm, "v2k-base");
  const [all] = await labOps(lab, [
    { op: "qcda", vm, snapshot: s1.moref, diskKey: disk1.key, capacity: disk1.capacityBytes, changeId: "*" },
  ]);
  assert.equal(ok(all).covered, disk1.capacityBytes);
  assert.ok(ok(all).areas.length > 0, "allocated areas of a seeded disk");
  const [rm1] = await labOps(lab, [{ op: "snapshot_remove", snapshot: s1.moref }]);
  assert.equal(ok(rm1).state, "success");

  // Guest writes while no snapshot exists; small QCDA pages force several calls.
  const writes0 = scatteredWrites(120, disk0.capacityBytes, 7);
  const writes1 = scatteredWrites(10, disk1.capacityBytes, 9);
  const requests = [
    ...writes0.map((w, i) => ({ vm, disk: 0, offset: w.offset, length: w.length, seed: 1000 + i })),
    ...writes1.map((w, i) => ({ vm, disk: 1, offset: w.offset, length: w.length, seed: 2000 + i })),
  ];
  for (let i = 0; i < requests.length; i += 8) await Promise.all(requests.slice(i, i + 8).map((r) => labControl(lab, "POST", "write", r)));
  await labControl(lab, "POST", "fault", { kind: "qcda-page-size", count: 16 });
  const s2 = await snapshotWithIds(vm, "v2k-round-1");
  assert.notEqual(s2.ids.get(disk0.key), s1.ids.get(disk0.key), "the changeId advances at each snapshot");
  const [q0, q1] = await labOps(lab, [
    { op: "qcda", vm, snapshot: s2.moref, diskKey: disk0.key, capacity: disk0.capacityBytes, changeId: s1.ids.get(disk0.key) },
    { op: "qcda", vm, snapshot: s2.moref, diskKey: disk1.key, capacity: disk1.capacityBytes, changeId: s1.ids.get(disk1.key) },
  ]);
  const r0 = ok(q0);
  console.log(`QCDA disk0: ${writes0.length} writes -> ${r0.areas.length} areas in ${r0.pages} pages`);
  assert.ok(r0.pages >= 4, `a page holds at most 16 extents, so ${writes0.length} scattered writes need several pages (got ${r0.pages})`);
  assert.equal(r0.covered, disk0.capacityBytes);
  assertCovers(r0.areas, writes0);
  assertCovers(ok(q1).areas, writes1);

  // A write after S2 lands in the delta: the next round must report exactly it.
  await labControl(lab, "POST", "write", { vm, disk: 1, offset: 4096, length: 65536, seed: 4242 });

  // Next round: only the write made after S2 is reported against S2's changeId.
  const [rm2] = await labOps(lab, [{ op: "snapshot_remove", snapshot: s2.moref }]);
  assert.equal(ok(rm2).state, "success");
  const s3 = await snapshotWithIds(vm, "v2k-round-2");
  const [q2] = await labOps(lab, [
    { op: "qcda", vm, snapshot: s3.moref, diskKey: disk1.key, capacity: disk1.capacityBytes, changeId: s2.ids.get(disk1.key) },
  ]);
  assertCovers(ok(q2).areas, [{ offset: 4096, length: 65536 }]);

  // A CBT reset (host crash) makes older changeIds worthless: FileFault, as on a real host.
  await labControl(lab, "POST", "fault", { kind: "cbt-reset", vm });
  const [stale] = await labOps(lab, [{ op: "qcda_once", vm, snapshot: s3.moref, diskKey: disk1.key, changeId: s2.ids.get(disk1.key) }]);
  assert.equal(stale.fault, "FileFault");
  await labOps(lab, [{ op: "snapshot_remove", snapshot: s3.moref }]);
  await labControl(lab, "POST", "fault", { kind: "qcda-page-size", count: 2000 });
});

test("with one snapshot, /folder serves the frozen base: the whole file read by ranges equals the snapshot's disk-hash", async () => {
  const inv = await labControl(lab, "GET", "inventory");
  // the smallest disk keeps the full read short
  const vm = inv.vms
    .filter((v: any) => v.powerState === "poweredOn" && v.snapshots.length === 0)
    .sort((a: any, b: any) => a.disks[0].capacityBytes - b.disks[0].capacityBytes)[0];
  const disk = vm.disks[0];
  const snap = await snapshotWithIds(vm.moref, "v2k-folder");
  await labControl(lab, "POST", "write", { vm: vm.moref, disk: 0, offset: 512 * 1024, length: 200_000, seed: 99 });
  const frozen = await labControl(lab, "POST", "disk-hash", { vm: vm.moref, disk: 0, snapshot: snap.moref });
  const current = await labControl(lab, "POST", "disk-hash", { vm: vm.moref, disk: 0 });
  assert.notEqual(current.sha256, frozen.sha256, "the write after the snapshot changed the running disk");
  const cookie = await soapLogin(lab);
  const t0 = Date.now();
  const served = await folderHash(cookie, disk.fileName.replace(/-\d{6}\.vmdk$/, ".vmdk"), disk.capacityBytes, 8 * 1024 * 1024);
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `/folder: read ${disk.capacityBytes / 2 ** 20} MiB in 8 MiB ranges in ${secs.toFixed(1)} s (${(disk.capacityBytes / 1e6 / secs).toFixed(0)} MB/s)`,
  );
  assert.equal(served, frozen.sha256, "bytes served over /folder equal the snapshot's content");
  const [rm] = await labOps(lab, [{ op: "snapshot_remove", snapshot: snap.moref }]);
  assert.equal(ok(rm).state, "success");
  assert.equal(
    (await labControl(lab, "POST", "disk-hash", { vm: vm.moref, disk: 0 })).sha256,
    current.sha256,
    "consolidation keeps the guest's data",
  );
});

test("/folder: HEAD, suffix and open ranges, 416, basic auth, 401 and 404", async () => {
  const disk = web.disks[1];
  const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(disk.fileName)!;
  const path = `/folder/${m[2]}-flat.vmdk?dcPath=${lab.info.datacenter}&dsName=${m[1]}`;
  const basic = { Authorization: `Basic ${Buffer.from(`${lab.username}:${lab.password}`).toString("base64")}` };
  const size = disk.capacityBytes;

  const head = await labRequest(lab, { method: "HEAD", path, headers: basic });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers["content-length"]), size);
  assert.equal(head.headers["accept-ranges"], "bytes");
  const suffix = await labRequest(lab, { method: "GET", path, headers: { ...basic, Range: "bytes=-1000" } });
  assert.equal(suffix.status, 206);
  assert.equal(suffix.headers["content-range"], `bytes ${size - 1000}-${size - 1}/${size}`);
  assert.equal(suffix.body.length, 1000);
  const open = await labRequest(lab, { method: "GET", path, headers: { ...basic, Range: `bytes=${size - 10}-` } });
  assert.equal(open.status, 206);
  assert.equal(open.body.length, 10);
  const beyond = await labRequest(lab, { method: "GET", path, headers: { ...basic, Range: `bytes=${size}-${size + 10}` } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers["content-range"], `bytes */${size}`);
  const noAuth = await labRequest(lab, { method: "GET", path, headers: { Range: "bytes=0-9" } });
  assert.equal(noAuth.status, 401);
  assert.match(String(noAuth.headers["www-authenticate"]), /^Basic /);
  const wrongAuth = await labRequest(lab, {
    method: "GET",
    path,
    headers: { Authorization: "Basic " + Buffer.from("x:y").toString("base64") },
  });
  assert.equal(wrongAuth.status, 401);
  const staleCookie = await labRequest(lab, {
    method: "GET",
    path,
    headers: { Cookie: 'vmware_soap_session="00000000-0000-0000-0000-000000000000"; HttpOnly', Range: "bytes=0-9" },
  });
  assert.equal(staleCookie.status, 401);
  const missing = await labRequest(lab, {
    method: "GET",
    path: `/folder/nothing/here-flat.vmdk?dcPath=${lab.info.datacenter}&dsName=${m[1]}`,
    headers: basic,
  });
  assert.equal(missing.status, 404);
  const wrongDc = await labRequest(lab, {
    method: "GET",
    path: path.replace(`dcPath=${lab.info.datacenter}`, "dcPath=other-dc"),
    headers: basic,
  });
  assert.equal(wrongDc.status, 404);
  const traversal = await labRequest(lab, { method: "GET", path: `/folder/../lab.json?dsName=${m[1]}`, headers: basic });
  assert.ok(traversal.status === 404 || traversal.status === 400);
});

test("an injected datastore read error fails the request as a host would (500 before data, never a crash)", async () => {
  const disk = web.disks[1];
  const m = /^\[([^\]]+)\] (.*)\.vmdk$/.exec(disk.fileName)!;
  const path = `/folder/${m[2]}-flat.vmdk?dcPath=${lab.info.datacenter}&dsName=${m[1]}`;
  const cookie = await soapLogin(lab);
  await labControl(lab, "POST", "fault", { kind: "datastore-read-errors", count: 1 });
  const failed = await labRequest(lab, { method: "GET", path, headers: { Cookie: cookie, Range: "bytes=0-4095" } });
  assert.equal(failed.status, 500);
  const again = await labRequest(lab, { method: "GET", path, headers: { Cookie: cookie, Range: "bytes=0-4095" } });
  assert.equal(again.status, 206, "only the injected number of reads fail");
  assert.equal(again.body.length, 4096);
});

/** The lab process's children (its datastore workers). */
function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}

/** Bytes a process has read through read(2) and friends so far (/proc/PID/io rchar). */
function readChars(pid: number): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))![1]);
}

/** Running (not gone, not a zombie waiting to be reaped). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

test("datastore workers: a range read through a worker equals the file's bytes, wrong and expired sessions are refused, SIGKILL of the lab ends them", async () => {
  const MiB = 1024 * 1024;
  const vm = (await labControl(lab, "GET", "inventory")).vms.find((v: any) => v.name === "web01");
  const disk = vm.disks[1];
  await labControl(lab, "POST", "write", { vm: vm.moref, disk: 1, offset: 8 * MiB, length: 16 * MiB, seed: 77 });
  // the disk's running data file: -flat.vmdk for the base, -delta.vmdk under a snapshot
  const m = /^\[([^\]]+)\] (.*?)(-\d{6})?\.vmdk$/.exec(disk.fileName)!;
  const dataFile = `${m[2]}${m[3] ? `${m[3]}-delta` : "-flat"}.vmdk`;
  const path = `/folder/${dataFile}?dcPath=${lab.info.datacenter}&dsName=${m[1]}`;
  const cookie = await soapLogin(lab);
  const range = (start: number, length: number, headers: Record<string, string> = { Cookie: cookie }) =>
    labRequest(lab, { method: "GET", path, headers: { ...headers, Range: `bytes=${start}-${start + length - 1}` } });
  const pid = lab.info.pid!;

  // the workers start with the lab's first /folder request; each new connection then goes to the next one
  let workers: number[] = [];
  for (let i = 0; i < 100 && workers.length < 2; i++) {
    assert.equal((await range(0, 4096)).status, 206);
    workers = childPids(pid);
    if (workers.length < 2) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(workers.length >= 2, `datastore workers running (children of the lab: ${workers.join(" ")})`);
  const workersRead = () => workers.reduce((a, w) => a + readChars(w), 0);
  for (let i = 0, start = workersRead(); i < 100 && workersRead() - start < MiB; i++) {
    await range(0, MiB); // served by the lab process until a worker says it is ready
    if (workersRead() - start < MiB) await new Promise((r) => setTimeout(r, 200));
  }

  const expected = Buffer.alloc(16 * MiB);
  const fd = openSync(join(lab.dir, "datastores", m[1]!, dataFile), "r");
  readSync(fd, expected, 0, expected.length, 8 * MiB);
  closeSync(fd);
  assert.ok(
    expected.some((b) => b !== 0),
    "the range holds guest data",
  );
  const before = new Map([pid, ...workers].map((p) => [p, readChars(p)]));
  for (let i = 0; i < workers.length; i++) {
    const got = await range(8 * MiB, 16 * MiB);
    assert.equal(got.status, 206);
    assert.ok(got.body.equals(expected), `read ${i}: the bytes served equal the file's`);
  }
  const workerReads = workers.reduce((a, w) => a + readChars(w) - before.get(w)!, 0);
  const labReads = readChars(pid) - before.get(pid)!;
  assert.ok(workerReads >= workers.length * 16 * MiB, `the workers read the file (${workerReads} bytes)`);
  assert.ok(labReads < 4 * MiB, `the lab process did not (${labReads} bytes)`);

  const stale = await range(0, 4096, { Cookie: 'vmware_soap_session="00000000-0000-0000-0000-000000000000"' });
  assert.equal(stale.status, 401);
  assert.match(String(stale.headers["www-authenticate"]), /^Basic /);
  await labControl(lab, "POST", "fault", { kind: "session-expiry" });
  const expired = await range(0, 4096);
  assert.equal(expired.status, 401, "a session expired in the lab process is refused by the workers too");
  assert.equal((await range(0, 4096, { Cookie: await soapLogin(lab) })).status, 206, "a new session reads again");

  process.kill(pid, "SIGKILL");
  const deadline = Date.now() + 10_000;
  while (workers.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(workers.filter(alive), [], "no datastore worker outlives the lab");
});
