// The NBD client against real servers: nbdkit (memory, data, sparse-random, eval, error/delay/
// blocksize-policy filters) and qemu-nbd (qcow2 and raw).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NbdClient, NbdDisconnectedError, NbdProtocolError, NbdServerError, parseNbdUri } from "../../../src/helper/nbd/index";
import { ManagedDaemon, PrivateDir } from "../../../src/helper/endpoints/daemon";
import { lifo, startNbdkit, startQemuNbd } from "./servers";

const MiB = 1024 * 1024;

async function connect(t: { after(fn: () => unknown): void }, socket: string, exportName = ""): Promise<NbdClient> {
  const c = await NbdClient.connect({ socket, exportName });
  lifo(t).after(() => c.destroy());
  return c;
}

test("handshake with nbdkit memory: size, flags, structured replies, base:allocation", async (t) => {
  const s = await startNbdkit(t, ["memory", String(8 * MiB)]);
  const c = await connect(t, s.socket);
  assert.equal(c.size, 8 * MiB);
  assert.equal(c.info.readOnly, false);
  assert.ok(c.info.structuredReplies);
  assert.notEqual(c.info.allocationContextId, undefined);
  assert.ok(c.info.canWriteZeroes && c.info.canTrim && c.info.canFlush);
  assert.ok(c.maxBlock >= 4 * MiB);
  await c.close();
});

test("every command against nbdkit memory: write, read, zero, trim, flush, block status", async (t) => {
  const s = await startNbdkit(t, ["memory", String(16 * MiB)]);
  const c = await connect(t, s.socket);
  const data = randomBytes(3 * MiB);
  await c.write(MiB, data, { fua: true });
  assert.deepEqual(await c.read(MiB, data.length), data);
  // Reads into a caller buffer land at its start and leave the rest alone.
  const into = Buffer.alloc(2 * MiB, 0xaa);
  await c.read(MiB, MiB, into);
  assert.deepEqual(into.subarray(0, MiB), data.subarray(0, MiB));
  assert.equal(into[MiB], 0xaa);

  let ext = await c.extents(0, 16 * MiB);
  assert.deepEqual(
    ext.map((e) => [e.offset, e.length, e.zero]),
    [
      [0, MiB, true],
      [MiB, 3 * MiB, false],
      [4 * MiB, 12 * MiB, true],
    ],
  );

  await c.writeZeroes(2 * MiB, MiB, { fastZero: true });
  const back = await c.read(MiB, 3 * MiB);
  assert.deepEqual(back.subarray(0, MiB), data.subarray(0, MiB));
  assert.ok(back.subarray(MiB, 2 * MiB).every((b) => b === 0));
  assert.deepEqual(back.subarray(2 * MiB), data.subarray(2 * MiB));
  ext = await c.extents(0, 16 * MiB);
  assert.ok(
    ext.some((e) => e.offset === 2 * MiB && e.zero),
    JSON.stringify(ext),
  );

  await c.trim(MiB, MiB);
  await c.flush();
  // One BLOCK_STATUS never answers beyond the asked range.
  const one = await c.blockStatus(MiB + 4096, 4096);
  assert.equal(
    one.reduce((n, e) => n + e.length, 0),
    4096,
  );
  await c.close();
  await assert.rejects(c.read(0, 512), NbdDisconnectedError);
});

test("many requests in flight with out-of-order replies are matched by cookie", async (t) => {
  // The read at offset 0 is held until every other read has been answered (a flag file, not a sleep,
  // so machine load cannot reorder it): replies come back out of order.
  const dir = mkdtempSync(join(tmpdir(), "v2k-nbd-order-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const flag = join(dir, "release");
  const pread =
    `if [ "$4" = 0 ]; then while [ ! -e ${flag} ]; do sleep 0.01; done; fi; ` +
    'head -c "$3" /dev/zero | tr "\\0" "$(printf "\\\\%03o" $(( ($4 / 4096) % 200 + 1 )))"';
  const s = await startNbdkit(t, ["eval", "get_size=echo 4194304", "thread_model=echo parallel", `pread=${pread}`], { readOnly: true });
  const c = await connect(t, s.socket);
  const order: number[] = [];
  const reads = Array.from({ length: 64 }, (_, i) =>
    c.read(i * 4096, 4096).then((b) => {
      order.push(i);
      return b;
    }),
  );
  assert.ok(c.inFlight >= 2, `requests in flight: ${c.inFlight}`);
  const others = await Promise.all(reads.slice(1));
  assert.ok(!order.includes(0), "the held read completed before it was released");
  writeFileSync(flag, "");
  const bufs = [await reads[0]!, ...others];
  bufs.forEach((b, i) =>
    assert.ok(
      b.every((x) => x === (i % 200) + 1),
      `read ${i} has the wrong content`,
    ),
  );
  assert.equal(order.at(-1), 0);
});

test("many writes in flight against qemu-nbd qcow2 keep every byte", async (t) => {
  const s = await startQemuNbd(t, "qcow2", { createSize: 64 * MiB });
  const c = await connect(t, s.socket);
  assert.ok(c.info.canWriteZeroes && c.info.canTrim && c.info.structuredReplies);
  const chunks = Array.from({ length: 100 }, () => randomBytes(256 * 1024));
  await Promise.all(chunks.map((b, i) => c.write(i * 256 * 1024, b)));
  const all = await c.read(0, 100 * 256 * 1024);
  chunks.forEach((b, i) => assert.ok(all.subarray(i * 256 * 1024, (i + 1) * 256 * 1024).equals(b), `chunk ${i}`));
  await c.flush();
});

test("structured READ replies with holes (qemu-nbd qcow2) zero the caller's buffer", async (t) => {
  const s = await startQemuNbd(t, "qcow2", { createSize: 8 * MiB });
  const c = await connect(t, s.socket);
  const data = randomBytes(MiB);
  await c.write(2 * MiB, data);
  const into = Buffer.alloc(4 * MiB, 0xee); // garbage that holes must overwrite
  await c.read(0, 4 * MiB, into);
  assert.ok(c.counters.holeChunks > 0, "qemu-nbd sent no OFFSET_HOLE chunk");
  assert.ok(c.counters.dataChunks > 0);
  assert.ok(into.subarray(0, 2 * MiB).every((b) => b === 0));
  assert.ok(into.subarray(2 * MiB, 3 * MiB).equals(data));
  assert.ok(into.subarray(3 * MiB).every((b) => b === 0));
  const ext = await c.extents(0, 8 * MiB);
  assert.deepEqual(
    ext.filter((e) => !e.zero).map((e) => [e.offset, e.length]),
    [[2 * MiB, MiB]],
  );
  // Zeroing punches the data away again.
  await c.writeZeroes(2 * MiB, MiB);
  assert.ok((await c.extents(0, 8 * MiB)).every((e) => e.zero));
});

test("qemu-nbd raw: write, zero, trim, flush, read back", async (t) => {
  const s = await startQemuNbd(t, "raw", { createSize: 4 * MiB });
  const c = await connect(t, s.socket);
  const data = randomBytes(MiB + 512);
  await c.write(512, data);
  await c.writeZeroes(MiB, 4096);
  await c.trim(3 * MiB, MiB);
  await c.flush();
  const back = await c.read(0, 2 * MiB);
  assert.ok(back.subarray(512, MiB).equals(data.subarray(0, MiB - 512)));
  assert.ok(back.subarray(MiB, MiB + 4096).every((b) => b === 0));
  assert.ok(back.subarray(MiB + 4096, MiB + 512 + 512).equals(data.subarray(MiB + 4096 - 512, MiB + 512)));
});

test("requests larger than the advertised maximum block size are split", async (t) => {
  const s = await startNbdkit(t, [
    "--filter=blocksize-policy",
    "memory",
    String(4 * MiB),
    "blocksize-maximum=65536",
    "blocksize-error-policy=error",
  ]);
  const c = await connect(t, s.socket);
  assert.equal(c.maxBlock, 65536);
  const data = randomBytes(MiB);
  const before = c.requestsSent;
  await c.write(0, data);
  assert.ok(c.requestsSent - before >= 16, `write sent ${c.requestsSent - before} requests`);
  assert.ok((await c.read(0, MiB)).equals(data));
});

test("server error replies carry the errno name and offset", async (t) => {
  const s = await startNbdkit(t, [
    "--filter=error",
    "memory",
    String(4 * MiB),
    "error-pwrite=ENOSPC",
    "error-pwrite-rate=100%",
    "error-pread=EIO",
    "error-pread-rate=100%",
  ]);
  const c = await connect(t, s.socket);
  await assert.rejects(c.write(MiB, Buffer.alloc(4096, 1)), (e: unknown) => {
    assert.ok(e instanceof NbdServerError);
    assert.equal(e.errnoName, "ENOSPC");
    assert.equal(e.command, "WRITE");
    assert.equal(e.offset, MiB);
    return true;
  });
  await assert.rejects(c.read(2 * MiB, 4096), (e: unknown) => e instanceof NbdServerError && e.errnoName === "EIO" && e.offset === 2 * MiB);
  // The connection survives error replies.
  await c.writeZeroes(0, 4096);
});

test("connection loss fails every outstanding request promptly", async (t) => {
  const s = await startNbdkit(t, ["--filter=delay", "memory", String(4 * MiB), "delay-read=10"]);
  const c = await connect(t, s.socket);
  const reads = Array.from({ length: 8 }, (_, i) => c.read(i * 4096, 4096));
  const settled = Promise.allSettled(reads);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.inFlight, 8);
  const killedAt = Date.now();
  process.kill(readPid(s.dir.file("nbdkit.pid")), "SIGKILL");
  const results = await settled;
  assert.ok(Date.now() - killedAt < 2000, "requests were not failed promptly");
  for (const r of results) {
    assert.equal(r.status, "rejected");
    assert.ok((r as PromiseRejectedResult).reason instanceof NbdDisconnectedError);
  }
  assert.equal(c.inFlight, 0);
  await assert.rejects(c.read(0, 512), NbdDisconnectedError);
  const one = [{ offset: 0, length: 512, at: 0 }];
  await assert.rejects(c.readMany(one, Buffer.alloc(512)), NbdDisconnectedError);
  await assert.rejects(c.writeMany(one, Buffer.alloc(512)), NbdDisconnectedError);
  await assert.rejects(c.flush(), NbdDisconnectedError);
  assert.equal(c.inFlight, 0);
});

test("an unknown export name fails the handshake with a protocol error", async (t) => {
  const s = await startQemuNbd(t, "raw", { createSize: MiB, extra: ["--export-name=disk0"] });
  await assert.rejects(
    NbdClient.connect({ socket: s.socket, exportName: "nope" }),
    (e: unknown) => e instanceof NbdProtocolError && /NBD_REP_ERR_UNKNOWN/.test(e.message),
  );
  const c = await connect(t, s.socket, "disk0");
  assert.equal(c.size, MiB);
});

test("a server that is not NBD fails the handshake", async (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  const server = createServer((sock) => sock.end("HTTP/1.1 400 Bad Request\r\n\r\nnot nbd at all"));
  t.after(() => server.close());
  await new Promise<void>((r) => server.listen(dir.file("x.sock"), r));
  await assert.rejects(NbdClient.connect({ socket: dir.file("x.sock") }), NbdProtocolError);
});

test("read-only sparse-random source: extents and data agree", async (t) => {
  const s = await startNbdkit(t, ["sparse-random", String(32 * MiB), "percent=30", "runlength=262144", "seed=11"], { readOnly: true });
  const c = await connect(t, s.socket);
  assert.equal(c.info.readOnly, true);
  await assert.rejects(c.write(0, Buffer.alloc(512)), NbdProtocolError);
  const ext = await c.extents(0, c.size);
  assert.equal(
    ext.reduce((n, e) => n + e.length, 0),
    c.size,
  );
  const zeroExt = ext.find((e) => e.zero && e.length >= 4096)!;
  const dataExt = ext.find((e) => !e.zero)!;
  assert.ok((await c.read(zeroExt.offset, 4096)).every((b) => b === 0));
  assert.ok(!(await c.read(dataExt.offset, Math.min(dataExt.length, 65536))).every((b) => b === 0));
});

test("NBD URIs parse like nbdcopy's", () => {
  assert.deepEqual(parseNbdUri("nbd+unix:///disk0?socket=/run/x.sock"), { socket: "/run/x.sock", exportName: "disk0" });
  assert.deepEqual(parseNbdUri("nbd+unix:///?socket=/tmp/a%20b.sock"), { socket: "/tmp/a b.sock", exportName: "" });
  assert.deepEqual(parseNbdUri("nbd://127.0.0.1:10810/x"), { host: "127.0.0.1", port: 10810, exportName: "x" });
  assert.throws(() => parseNbdUri("nbds://h/x"), /unsupported/);
  assert.throws(() => parseNbdUri("nbd+unix:///x"), /socket=/);
});

function readPid(file: string): number {
  return Number(readFileSync(file, "utf8").trim());
}

test("TCP connections (nbd://) work like UNIX sockets", async (t) => {
  const port = await freePort();
  const dir = new PrivateDir("v2k-test-");
  const server = await ManagedDaemon.start({
    name: "nbdkit",
    file: "nbdkit",
    pidFile: dir.file("pid"),
    readyTimeoutMs: 15_000,
    args: [
      "--foreground",
      "--exit-with-parent",
      "--ipaddr",
      "127.0.0.1",
      "--port",
      String(port),
      "--pidfile",
      dir.file("pid"),
      "--exportname",
      "tcpdisk",
      "memory",
      String(MiB),
    ],
  });
  lifo(t).after(async () => {
    await server.stop();
    dir.remove();
  });
  const c = await NbdClient.connect({ ...parseNbdUri(`nbd://127.0.0.1:${port}/tcpdisk`) });
  lifo(t).after(() => c.destroy());
  await c.write(4096, Buffer.alloc(4096, 3));
  assert.ok((await c.read(4096, 4096)).every((b) => b === 3));
  await c.close();
  await assert.rejects(
    NbdClient.connect({ host: "127.0.0.1", port: await freePort() }),
    (e: unknown) => e instanceof NbdDisconnectedError && e.connectFailed,
  );
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
