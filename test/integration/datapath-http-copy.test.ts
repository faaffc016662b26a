// End to end on real components: a local HTTPS "datastore" (Range requests, session cookie, self-
// signed certificate) read by nbdkit's curl plugin, copied by the engine into a qcow2 image served
// by qemu-nbd; checked with `qemu-img compare` and `qemu-img map` (holes stayed holes).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { type AddressInfo } from "node:net";
import { exec } from "../../src/kit/exec";
import { PrivateDir } from "../../src/helper/endpoints/daemon";
import { openSource, openTarget, growImage, imageSize, type SourceHandle, type TargetHandle } from "../../src/helper/endpoints/index";
import { copyDisk } from "../../src/helper/engine/index";
import { V2kError } from "../../src/shared/v2k-error";

const M = 1024 * 1024;
const SIZE = 48 * M;
const COOKIE = 'vmware_soap_session="5a8c2e1f-test-cookie-0001"';
const DATA: Array<[number, number]> = [
  [0, M],
  [5 * M + 4096, 3 * M],
  [20 * M, 64 * 1024],
  [47 * M, M],
];

let dir: PrivateDir;
let server: Server;
let url: string;
let certPem: string;
let image: Buffer;
let rangeRequests = 0;
/** Range requests left before the server starts refusing the cookie (session expiry). */
let sessionBudget = Infinity;

before(async () => {
  dir = new PrivateDir("v2k-test-http-");
  await exec(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      dir.file("key.pem"),
      "-out",
      dir.file("cert.pem"),
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { timeoutMs: 30_000 },
  );
  certPem = readFileSync(dir.file("cert.pem"), "utf8");
  image = Buffer.alloc(SIZE);
  for (const [o, n] of DATA) randomBytes(n).copy(image, o);
  writeFileSync(dir.file("source.raw"), image);
  server = createServer({ key: readFileSync(dir.file("key.pem")), cert: certPem }, (req, res) => {
    if (!req.url?.startsWith("/folder/vm1/vm1-flat.vmdk?")) return void res.writeHead(404).end();
    if (req.headers.cookie !== COOKIE) return void res.writeHead(401).end();
    if (req.method === "GET" && sessionBudget-- <= 0) return void res.writeHead(401).end();
    const head = { "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream" };
    if (req.method === "HEAD") return void res.writeHead(200, { ...head, "Content-Length": String(SIZE) }).end();
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
    if (!m) return void res.writeHead(200, { ...head, "Content-Length": String(SIZE) }).end(image);
    rangeRequests++;
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), SIZE - 1);
    res.writeHead(206, { ...head, "Content-Length": String(end - start + 1), "Content-Range": `bytes ${start}-${end}/${SIZE}` });
    res.end(image.subarray(start, end + 1));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/folder/vm1/vm1-flat.vmdk?dcPath=dc1&dsName=ds1`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  dir?.remove();
});

async function withHandles<T>(
  open: () => Promise<[SourceHandle, TargetHandle]>,
  fn: (s: SourceHandle, t: TargetHandle) => Promise<T>,
): Promise<T> {
  const [s, t] = await open();
  try {
    return await fn(s, t);
  } finally {
    await Promise.allSettled([s.close(), t.close()]);
  }
}

test("https datastore -> nbdkit curl -> engine -> qemu-nbd qcow2: identical content, holes stay holes", async () => {
  const qcow2 = dir.file("target.qcow2");
  const before = rangeRequests;
  let cmdline = "";
  let cookieFileLeft = true;
  const stats = await withHandles(
    async () => {
      const s = await openSource({ kind: "http", url, cookie: COOKIE, caCertPem: certPem }, { disk: "disk 2000" });
      try {
        return [s, await openTarget({ kind: "file", path: qcow2, format: "qcow2", createSize: SIZE }, { disk: "disk 2000" })];
      } catch (e) {
        await s.close();
        throw e;
      }
    },
    async (s, t) => {
      assert.equal(s.size, SIZE);
      // The cookie is neither on nbdkit's command line nor left on disk.
      cmdline = nbdkitCmdlines().join("\n");
      cookieFileLeft = privateDirs().some((d) => existsSync(`${d}/cookie`));
      return copyDisk({
        source: s.source,
        target: t.target,
        areas: DATA.map(([offset, length]) => ({ offset, length })),
        targetIsZero: true,
        disk: "disk 2000",
      });
    },
  );
  assert.ok(cmdline.includes("curl"), "nbdkit was not found in the process table");
  assert.ok(!cmdline.includes("5a8c2e1f"), "the session cookie is visible in argv");
  assert.ok(cmdline.includes("cookie=+"));
  assert.equal(cookieFileLeft, false, "the cookie file was not deleted after start-up");
  assert.ok(rangeRequests > before);
  assert.equal(
    stats.bytesRead,
    DATA.reduce((n, [, l]) => n + l, 0),
  );
  assert.ok(stats.flushedAt !== "");

  await exec("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", dir.file("source.raw"), qcow2], { timeoutMs: 60_000 });
  const map = JSON.parse((await exec("qemu-img", ["map", "--output=json", "-f", "qcow2", qcow2], { timeoutMs: 60_000 })).stdout) as Array<{
    start: number;
    length: number;
    data: boolean;
  }>;
  const allocated = map.filter((e) => e.data).reduce((n, e) => n + e.length, 0);
  // Only the data areas (rounded to 64 KiB clusters) are allocated: the 40+ MiB of holes stayed holes.
  assert.ok(allocated <= 5 * M + 4 * 65536, `allocated ${allocated} bytes`);
  assert.ok(!map.some((e) => e.data && e.start >= 10 * M && e.start + e.length <= 20 * M), "a hole was written as data");
});

test("an incremental rebase into an existing qcow2 with zeroUnlisted ends byte-identical", async () => {
  const qcow2 = dir.file("rebase.qcow2");
  await exec("qemu-img", ["create", "-q", "-f", "qcow2", qcow2, String(SIZE)], { timeoutMs: 30_000 });
  // Stale data everywhere on the target first (as after an old sync with a reset CBT epoch).
  await exec("qemu-io", ["-f", "qcow2", "-c", `write -P 0x5a 0 ${SIZE}`, qcow2], { timeoutMs: 60_000 });
  await withHandles(
    async () => [
      await openSource({ kind: "file", path: dir.file("source.raw") }),
      await openTarget({ kind: "file", path: qcow2, format: "qcow2" }),
    ],
    (s, t) =>
      copyDisk({
        source: s.source,
        target: t.target,
        areas: DATA.map(([offset, length]) => ({ offset, length })),
        zeroUnlisted: true,
        useSourceExtents: false,
      }),
  );
  await exec("qemu-img", ["compare", "-f", "raw", "-F", "qcow2", dir.file("source.raw"), qcow2], { timeoutMs: 60_000 });
});

test("a wrong session cookie is SESSION_EXPIRED and an unpinned certificate TLS_UNTRUSTED", async () => {
  await assert.rejects(openSource({ kind: "http", url, cookie: 'vmware_soap_session="wrong"', caCertPem: certPem }), (e: unknown) => {
    assert.ok(e instanceof V2kError);
    assert.equal(e.code, "SESSION_EXPIRED", `${e.code}: ${e.message}\n${e.detail}`);
    return true;
  });
  const otherDir = new PrivateDir("v2k-test-cert-");
  try {
    await exec(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        otherDir.file("k.pem"),
        "-out",
        otherDir.file("c.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=other",
      ],
      { timeoutMs: 30_000 },
    );
    await assert.rejects(
      openSource({ kind: "http", url, cookie: COOKIE, caCertPem: readFileSync(otherDir.file("c.pem"), "utf8") }),
      (e: unknown) => e instanceof V2kError && e.code === "TLS_UNTRUSTED",
    );
  } finally {
    otherDir.remove();
  }
  await assert.rejects(
    openSource({ kind: "http", url, cookie: COOKIE }),
    (e: unknown) => e instanceof V2kError && e.code === "TLS_UNTRUSTED",
  );
  // sslverify=false only when asked: then it works without a certificate.
  const s = await openSource({ kind: "http", url, cookie: COOKIE, insecure: true });
  try {
    assert.ok((await s.source.read(0, M)).equals(image.subarray(0, M)));
  } finally {
    await s.close();
  }
});

test("qemu-nbd dying mid-copy fails the copy promptly with NBD_TARGET_FAILED", async () => {
  const qcow2 = dir.file("dies.qcow2");
  const s = await openSource({ kind: "file", path: dir.file("source.raw") });
  const t = await openTarget({ kind: "file", path: qcow2, format: "qcow2", createSize: SIZE }, { disk: "disk 2001" });
  try {
    const slowSource = {
      ...s.source,
      size: s.source.size,
      label: s.source.label,
      read: async (o: number, n: number, into?: Buffer) => {
        await new Promise((r) => setTimeout(r, 20));
        return s.source.read(o, n, into);
      },
      close: () => s.source.close(),
    };
    const copy = copyDisk({
      source: slowSource,
      target: t.target,
      areas: [{ offset: 0, length: SIZE }],
      chunkSize: 256 * 1024,
      requests: 2,
      useSourceExtents: false,
      disk: "disk 2001",
    });
    await new Promise((r) => setTimeout(r, 150));
    const pid = qemuNbdPidServing(qcow2);
    assert.ok(pid > 0, "qemu-nbd not found");
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    await assert.rejects(copy, (e: unknown) => e instanceof V2kError && e.code === "NBD_TARGET_FAILED" && /disk 2001/.test(e.message));
    assert.ok(Date.now() - killedAt < 2000);
  } finally {
    await Promise.allSettled([s.close(), t.close()]);
  }
});

test("growing a qcow2 target and opening a missing image", async () => {
  const qcow2 = dir.file("grow.qcow2");
  await exec("qemu-img", ["create", "-q", "-f", "qcow2", qcow2, String(8 * M)], { timeoutMs: 30_000 });
  assert.deepEqual(await growImage({ kind: "file", path: qcow2, format: "qcow2" }, 16 * M), { grown: true, size: 16 * M });
  assert.equal(await imageSize({ kind: "file", path: qcow2, format: "qcow2" }), 16 * M);
  assert.deepEqual(await growImage({ kind: "file", path: qcow2, format: "qcow2" }, 4 * M), { grown: false, size: 16 * M });
  await assert.rejects(
    openTarget({ kind: "file", path: dir.file("none.qcow2"), format: "qcow2" }),
    (e: unknown) => e instanceof V2kError && e.code === "DST_MISSING",
  );
});

function pids(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function cmdlineOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/** nbdkit processes serving this test's URL (other suites may run their own nbdkit curl). */
function nbdkitCmdlines(): string[] {
  return pids()
    .map(cmdlineOf)
    .filter((a) => a[0]?.endsWith("nbdkit") && a.includes(`url=${url}`))
    .map((a) => a.join(" "));
}

function privateDirs(): string[] {
  return nbdkitCmdlines().flatMap((c) => /--unix (\S+)\/nbd\.sock/.exec(c)?.[1] ?? []);
}

function qemuNbdPidServing(image: string): number {
  return (
    pids().find((p) => {
      const a = cmdlineOf(p);
      return a[0]?.endsWith("qemu-nbd") && a.includes(image);
    }) ?? 0
  );
}

test("a session that expires mid-copy fails the copy with SESSION_EXPIRED", async () => {
  const qcow2 = dir.file("expire.qcow2");
  const s = await openSource({ kind: "http", url, cookie: COOKIE, caCertPem: certPem, retry: false }, { disk: "disk 2002" });
  try {
    const t = await openTarget({ kind: "file", path: qcow2, format: "qcow2", createSize: SIZE });
    try {
      sessionBudget = 3;
      await assert.rejects(
        copyDisk({ source: s.source, target: t.target, areas: [{ offset: 0, length: SIZE }], chunkSize: 1024 * 1024, disk: "disk 2002" }),
        (e: unknown) => {
          assert.ok(e instanceof V2kError);
          assert.equal(e.code, "SESSION_EXPIRED", `${e.code}: ${e.message}`);
          assert.match(e.message, /disk 2002/);
          return true;
        },
      );
    } finally {
      sessionBudget = Infinity;
      await t.close();
    }
  } finally {
    await s.close();
  }
});
