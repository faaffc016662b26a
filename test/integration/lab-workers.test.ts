// The lab's datastore workers under a crowd of first connections: curl readers (each a new connection, as
// nbdkit-curl's first request is) start all at once while the workers are still starting, then again once
// they serve, and again while a worker is SIGKILLed mid-read. Every request gets an answer (the file's exact
// bytes) or, on the killed worker's connections, a closed connection; never silence until the client gives up.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { type TestLab, labControl, soapLogin, startTestLab } from "../support/lab";

const MiB = 1024 * 1024;
/** curl's own limit: far above a 2 MiB read here, far below the 30 s an nbdkit start waits. */
const READ_LIMIT_S = 20;
/** curl's exit code when --max-time struck: the lab said nothing in time. */
const CURL_TIMED_OUT = 28;

let lab: TestLab;
let cookie: string;
let url: string;
let expected: Buffer;

before(async () => {
  lab = await startTestLab({ scenario: "default" });
  const vm = (await labControl(lab, "GET", "inventory")).vms.find((v: any) => v.name === "web01");
  await labControl(lab, "POST", "write", { vm: vm.moref, disk: 0, offset: 0, length: 32 * MiB, seed: 5 });
  const m = /^\[([^\]]+)\] (.*?)(-\d{6})?\.vmdk$/.exec(vm.disks[0].fileName)!;
  const dataFile = `${m[2]}${m[3] ? `${m[3]}-delta` : "-flat"}.vmdk`;
  url = `${lab.url.replace(/\/sdk$/, "")}/folder/${dataFile}?dcPath=${lab.info.datacenter}&dsName=${m[1]}`;
  expected = Buffer.alloc(32 * MiB);
  const fd = openSync(join(lab.dir, "datastores", m[1]!, dataFile), "r");
  readSync(fd, expected, 0, expected.length, 0);
  closeSync(fd);
  cookie = (await soapLogin(lab)).split(";")[0]!;
});
after(async () => {
  await lab?.stop();
});

interface Read {
  exitCode: number;
  status: string;
  body: Buffer;
  seconds: number;
}

/** One curl process, one new connection: a HEAD, then a GET of [start, start + length). The cookie goes on stdin. */
async function curlRead(start: number, length: number): Promise<Read[]> {
  const t0 = Date.now();
  const common = ["-sS", "--cacert", lab.certFile, "--max-time", String(READ_LIMIT_S), "-K", "-"];
  const input = `header = "Cookie: ${cookie.replaceAll('"', '\\"')}"\n`;
  const head = await execa("curl", [...common, "-I", "-o", "/dev/null", "-w", "%{http_code}", url], { input, reject: false });
  const get = await execa("curl", [...common, "-r", `${start}-${start + length - 1}`, "-D", "-", url], {
    input,
    reject: false,
    encoding: "buffer",
    stripFinalNewline: false,
  });
  const raw = Buffer.from(get.stdout as Uint8Array);
  const split = raw.indexOf("\r\n\r\n");
  return [
    { exitCode: head.exitCode ?? -1, status: String(head.stdout), body: Buffer.alloc(0), seconds: 0 },
    {
      exitCode: get.exitCode ?? -1,
      status: split < 0 ? "" : (/^HTTP\/\S+ (\d+)/.exec(raw.subarray(0, split).toString("latin1"))?.[1] ?? ""),
      body: split < 0 ? Buffer.alloc(0) : raw.subarray(split + 4),
      seconds: (Date.now() - t0) / 1000,
    },
  ];
}

/** n readers at once, each at its own 2 MiB range. */
function crowd(n: number): Promise<{ start: number; reads: Read[] }[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const start = ((i * 5) % 28) * MiB;
      return { start, reads: await curlRead(start, 2 * MiB) };
    }),
  );
}

function assertAllServed(wave: string, results: { start: number; reads: Read[] }[]): void {
  const slowest = Math.max(...results.map((r) => r.reads[1]!.seconds));
  process.stderr.write(`lab workers: ${wave}: ${results.length} readers, slowest HEAD + GET ${slowest.toFixed(1)} s\n`);
  for (const { start, reads } of results) {
    const [head, get] = reads as [Read, Read];
    assert.equal(head.exitCode, 0, `${wave}: HEAD at ${start} failed (curl ${head.exitCode})`);
    assert.equal(head.status, "200", `${wave}: HEAD status`);
    assert.equal(get.exitCode, 0, `${wave}: GET at ${start} failed (curl ${get.exitCode}) after ${get.seconds} s`);
    assert.equal(get.status, "206", `${wave}: GET status`);
    assert.ok(get.body.equals(expected.subarray(start, start + 2 * MiB)), `${wave}: the bytes at ${start} equal the file's`);
  }
}

/** The lab process's children (its datastore workers). */
function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
}

test("datastore workers: crowds of first connections while the workers start and once they serve, each read answered with the file's bytes", async () => {
  assert.deepEqual(childPids(lab.info.pid!), [], "no worker before the first /folder request");
  assertAllServed("while the workers start", await crowd(12));
  assert.ok(childPids(lab.info.pid!).length >= 2, "the workers started (2 to 4 by default)");
  for (let wave = 1; wave <= 2; wave++) assertAllServed(`wave ${wave}`, await crowd(8));
});

test("datastore workers: a worker SIGKILLed mid-read closes its connections (no silence), the others and the lab serve on", async () => {
  const workers = childPids(lab.info.pid!);
  assert.ok(workers.length >= 2, `workers running: ${workers.join(" ")}`);
  const reading = crowd(12);
  await new Promise((r) => setTimeout(r, 150));
  process.kill(workers[0]!, "SIGKILL");
  const results = await reading;
  const timedOut = results.flatMap((r) => r.reads).filter((r) => r.exitCode === CURL_TIMED_OUT);
  assert.deepEqual(timedOut, [], "a request left without an answer or a closed connection until curl gave up");
  assertAllServed("after the kill", await crowd(8));
});

test("datastore workers: grants a worker keeps are dropped before a control reply (a fault armed, a session expired)", async () => {
  assert.ok(childPids(lab.info.pid!).length >= 1, "a worker serves (one was killed above)");
  // several new connections: every worker serves (and keeps the grant of) the same request
  for (let i = 0; i < 6; i++) assertAllServed(`kept ${i}`, [{ start: 0, reads: await curlRead(0, 2 * MiB) }]);
  await labControl(lab, "POST", "fault", { kind: "datastore-read-errors", count: 1 });
  const [, faulted] = await curlRead(0, 2 * MiB);
  assert.equal(faulted!.status, "500", "the read after the fault was armed strikes it");
  assertAllServed("after the fault", [{ start: 0, reads: await curlRead(0, 2 * MiB) }]);
  await labControl(lab, "POST", "fault", { kind: "session-expiry" });
  const [head, get] = await curlRead(0, 2 * MiB);
  assert.deepEqual([head!.status, get!.status], ["401", "401"], "the expired session's reads are refused");
});
