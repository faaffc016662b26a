// Endpoint command lines and managed servers: nbdkit vddk/curl argv (no secret in argv), the
// missing vddk plugin, qemu-nbd target specs (file, block, rbd), and openSource/openTarget
// lifecycles against real nbdkit and qemu-nbd.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { ManagedDaemon, PrivateDir, sweepStalePrivateDirs } from "../../../src/helper/endpoints/daemon";
import { curlArgs, requireNbdkitPlugin, vddkArgs, type VddkSourceSpec } from "../../../src/helper/endpoints/nbdkit";
import { qemuFilename, qemuNbdArgs, qemuNbdTuningLadder } from "../../../src/helper/endpoints/qemu-nbd";
import { NbdTarget, openSource, openTarget } from "../../../src/helper/endpoints/index";
import { NbdClient } from "../../../src/helper/nbd/index";
import { copyDisk } from "../../../src/helper/engine/index";
import { exec } from "../../../src/kit/exec";
import { lifo, startNbdkit } from "../nbd/servers";
import { V2kError } from "../../../src/shared/v2k-error";

const M = 1024 * 1024;

const vddk: VddkSourceSpec = {
  kind: "vddk",
  libdir: "/opt/vmware-vix-disklib-distrib",
  server: "vcenter.example.com",
  user: "administrator@vsphere.local",
  password: "S3cret-Pa55!",
  thumbprint: "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD",
  vmMoref: "vm-42",
  snapshotMoref: "snapshot-7",
  file: "[datastore1] vm1/vm1.vmdk",
  compression: "skipz",
};

test("vddk argv: filters in front, every parameter, password only as +FILE (0600)", (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  const args = vddkArgs(vddk, dir);
  assert.ok(!args.join(" ").includes("S3cret"), "password in argv");
  const pw = args.find((a) => a.startsWith("password=+"))!.slice("password=+".length);
  assert.equal(readFileSync(pw, "utf8"), "S3cret-Pa55!");
  assert.equal(statSync(pw).mode & 0o777, 0o600);
  assert.equal(statSync(dir.path).mode & 0o777, 0o700);
  const plugin = args.indexOf("vddk");
  assert.deepEqual(
    args.slice(0, plugin).filter((a) => a.startsWith("--filter=")),
    ["--filter=cacheextents", "--filter=retry", "--filter=blocksize"],
  );
  assert.ok(args.includes("--readonly"));
  for (const p of [
    "libdir=/opt/vmware-vix-disklib-distrib",
    "server=vcenter.example.com",
    "user=administrator@vsphere.local",
    `thumbprint=${vddk.thumbprint}`,
    "vm=moref=vm-42",
    "snapshot=snapshot-7",
    "file=[datastore1] vm1/vm1.vmdk",
    "transports=nbdssl:nbd",
    "compression=skipz",
    `maxdata=${2 * M}`,
  ]) {
    assert.ok(args.slice(plugin).includes(p), `missing ${p}`);
  }
});

test("vddk source fails with TOOL_MISSING when the plugin is absent", async () => {
  // Debian's nbdkit ships no vddk plugin; an installed one would make this test meaningless.
  assert.ok(!existsSync("/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-vddk-plugin.so"), "a vddk plugin is installed here");
  await assert.rejects(
    requireNbdkitPlugin("vddk"),
    (e: unknown) => e instanceof V2kError && e.code === "TOOL_MISSING" && /vddk/.test(e.message) && /VDDK/.test(e.hint),
  );
  await assert.rejects(
    openSource(vddk),
    (e: unknown) => e instanceof V2kError && e.code === "TOOL_MISSING" && !JSON.stringify(e.toInfo()).includes("S3cret"),
  );
  await requireNbdkitPlugin("curl");
});

test("curl argv: cookie and CA as files, sslverify=false only when asked, https needs trust", (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  const url = "https://esx1/folder/vm1/vm1-flat.vmdk?dcPath=dc1&dsName=ds1";
  const args = curlArgs({ kind: "http", url, cookie: 'vmware_soap_session="abc-123"', caCertPem: "PEM" }, dir);
  assert.ok(!args.join(" ").includes("abc-123"));
  assert.ok(args.includes(`url=${url}`));
  assert.ok(args.some((a) => a.startsWith("cookie=+")));
  assert.ok(args.some((a) => a.startsWith("cainfo=")));
  // the system CA store is neither trusted nor parsed: an empty CA directory of our own
  const capath = args.find((a) => a.startsWith("capath="))?.slice("capath=".length);
  assert.ok(capath?.startsWith(dir.path) && readdirSync(capath).length === 0, `capath ${capath}`);
  assert.ok(!args.includes("sslverify=false"));
  assert.ok(args.includes("--filter=retry") && args.includes("--readonly"));
  assert.ok(curlArgs({ kind: "http", url, insecure: true, retry: false }, dir).includes("sslverify=false"));
  assert.ok(!curlArgs({ kind: "http", url, insecure: true, retry: false }, dir).includes("--filter=retry"));
  assert.throws(
    () => curlArgs({ kind: "http", url }, dir),
    (e: unknown) => e instanceof V2kError && e.code === "TLS_UNTRUSTED",
  );
  assert.throws(() => curlArgs({ kind: "http", url: "ftp://x/y" }, dir), V2kError);
});

test("qemu-nbd targets: file, block and rbd specs", (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  assert.equal(qemuFilename({ kind: "rbd", pool: "rbd", image: "vm1-disk0" }), "rbd:rbd/vm1-disk0");
  assert.equal(
    qemuFilename({ kind: "rbd", pool: "p", image: "i", conf: "/etc/ceph/c:1.conf", user: "admin" }),
    "rbd:p/i:conf=/etc/ceph/c\\:1.conf:id=admin",
  );
  const rbd = qemuNbdArgs({ kind: "rbd", pool: "p", image: "i" }, dir, { cache: "writeback", aio: "threads" });
  assert.ok(rbd.includes("--format=raw") && rbd.at(-1) === "rbd:p/i");
  const file = qemuNbdArgs({ kind: "file", path: "/d/x.qcow2", format: "qcow2", detectZeroes: true }, dir, {
    cache: "none",
    aio: "io_uring",
  });
  for (const a of ["--format=qcow2", "--cache=none", "--aio=io_uring", "--discard=unmap", "--detect-zeroes=unmap", "--persistent"])
    assert.ok(file.includes(a), a);
  assert.deepEqual(
    qemuNbdTuningLadder({ kind: "file", path: "/x", format: "raw" }).map((l) => `${l.cache}/${l.aio}`),
    ["none/io_uring", "none/threads", "writeback/io_uring", "writeback/threads"],
  );
  assert.deepEqual(
    qemuNbdTuningLadder({ kind: "block", device: "/dev/x", cache: "writeback" }).map((l) => l.cache),
    ["writeback", "writeback"],
  );
});

test("openTarget creates a sparse raw image, serves it, and close() stops qemu-nbd and removes the socket dir", async (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  const path = dir.file("disk.raw");
  const h = await openTarget({ kind: "file", path, format: "raw", createSize: 32 * M, shared: 2 });
  let socketDir = "";
  try {
    assert.equal(h.size, 32 * M);
    socketDir = new URL(h.uri).searchParams.get("socket")!.replace(/\/nbd\.sock$/, "");
    assert.equal(statSync(socketDir).mode & 0o777, 0o700);
    // A second client (verify) may connect while the copy's connection is open.
    const other = await NbdClient.connect({ socket: `${socketDir}/nbd.sock` });
    await h.target.write(M, Buffer.alloc(M, 9));
    await h.target.flush();
    assert.ok((await other.read(M, M)).every((b) => b === 9));
    await other.close();
  } finally {
    await h.close();
  }
  assert.ok(!existsSync(socketDir), "the private socket dir is left behind");
  assert.ok(statSync(path).blocks * 512 <= 2 * M, "the raw image is not sparse");
  await assert.rejects(openTarget({ kind: "block", device: path }), (e: unknown) => e instanceof V2kError && e.code === "DST_MISSING");
});

test("file source -> raw target through openSource/openTarget copies allocated data only", async (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  await exec("qemu-img", ["create", "-q", "-f", "raw", dir.file("src.raw"), String(16 * M)], { timeoutMs: 30_000 });
  await exec("qemu-io", ["-f", "raw", "-c", "write -P 0x33 1M 2M", "-c", "write -P 0x44 9M 64k", dir.file("src.raw")], {
    timeoutMs: 30_000,
  });
  const s = await openSource({ kind: "file", path: dir.file("src.raw") });
  try {
    const tgt = await openTarget({ kind: "file", path: dir.file("dst.raw"), format: "raw", createSize: 16 * M });
    try {
      assert.ok(s.source.extents, "the file source has no extents");
      const stats = await copyDisk({ source: s.source, target: tgt.target, areas: [{ offset: 0, length: s.size }], targetIsZero: true });
      // qemu-img allocates the first 4 KiB of a new raw file (alignment probing): it counts as data.
      assert.ok(stats.bytesRead >= 2 * M + 64 * 1024 && stats.bytesRead <= 2 * M + 64 * 1024 + 4096, `read ${stats.bytesRead} bytes`);
    } finally {
      await tgt.close();
    }
  } finally {
    await s.close();
  }
  await exec("qemu-img", ["compare", "-f", "raw", "-F", "raw", dir.file("src.raw"), dir.file("dst.raw")], { timeoutMs: 30_000 });
});

test("NbdTarget zeroing: fast zero refused (ENOTSUP) falls back to plain WRITE_ZEROES; no WRITE_ZEROES at all writes zero buffers", async (t) => {
  const slow = await startNbdkit(t, ["--filter=nozero", "memory", String(8 * M), "zeromode=plugin", "fastzeromode=slow"]);
  const a = await NbdTarget.connect({ socket: slow.socket });
  lifo(t).after(() => a.client.destroy());
  assert.ok(a.capabilities.fastZero, "fast zero not advertised");
  await a.write(0, Buffer.alloc(2 * M, 1));
  await a.writeZeroes(M / 2, M);
  await a.writeZeroes(0, 4096);
  const back = await a.client.read(0, 2 * M);
  assert.ok(back.subarray(0, 4096).every((b) => b === 0) && back[4096] === 1);
  assert.ok(back.subarray(M / 2, M / 2 + M).every((b) => b === 0) && back[M / 2 + M] === 1);
  // Only the first fast zero was refused; later zeroes go straight to plain WRITE_ZEROES.
  assert.equal(a.client.counters.serverErrors, 1);

  const none = await startNbdkit(t, ["--filter=nozero", "memory", String(8 * M), "zeromode=none"]);
  const b = await NbdTarget.connect({ socket: none.socket });
  lifo(t).after(() => b.client.destroy());
  assert.equal(b.capabilities.zeroes, false);
  await b.write(0, Buffer.alloc(8 * M, 2));
  await b.writeZeroes(M, 5 * M + 512);
  const back2 = await b.client.read(0, 8 * M);
  assert.ok(back2[M - 1] === 2 && back2.subarray(M, 6 * M + 512).every((x) => x === 0) && back2[6 * M + 512] === 2);
});

test("a target image already served by another qemu-nbd is TARGET_IO, not a retry loop", async (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  const first = await openTarget({ kind: "file", path: dir.file("busy.qcow2"), format: "qcow2", createSize: 4 * M });
  try {
    const started = Date.now();
    await assert.rejects(
      openTarget({ kind: "file", path: dir.file("busy.qcow2"), format: "qcow2" }),
      (e: unknown) => e instanceof V2kError && e.code === "TARGET_IO" && /in use/.test(e.message),
    );
    assert.ok(Date.now() - started < 5000);
  } finally {
    await first.close();
  }
});

test("stale private dirs of killed helpers are swept, live ones never", () => {
  const prefix = `v2k-sweeptest-${process.pid}-`;
  const mk = (pid?: number) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    if (pid !== undefined) writeFileSync(join(d, "qemu-nbd.pid"), `${pid}\n`);
    return d;
  };
  const dead = spawnSync("true").pid!;
  const deadDir = mk(dead);
  const liveDir = mk(process.pid);
  const freshDir = mk();
  const owned = new PrivateDir(prefix);
  writeFileSync(owned.file("nbdkit.pid"), `${dead}\n`); // ours: never swept while we hold it
  try {
    assert.deepEqual(sweepStalePrivateDirs(prefix), [deadDir]);
    assert.ok(existsSync(liveDir) && existsSync(freshDir) && existsSync(owned.path));
    assert.deepEqual(sweepStalePrivateDirs(prefix, Date.now() + 2 * 3600_000), [freshDir]);
  } finally {
    for (const d of [deadDir, liveDir, freshDir]) rmSync(d, { recursive: true, force: true });
    owned.remove();
  }
});

test("a server whose helper died before nbdkit armed --exit-with-parent is stopped by the next sweep; a live helper's never", async () => {
  const prefix = `v2k-sweeptest-${process.pid}-`;
  const serve = (dir: string) => {
    // nbdkit as a killed helper leaves it: running, its pid file written, its parent gone
    const child = spawn("nbdkit", ["--foreground", "--unix", join(dir, "nbd.sock"), "--pidfile", join(dir, "nbdkit.pid"), "memory", "1M"], {
      stdio: "ignore",
    });
    return child;
  };
  const orphanDir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(orphanDir, "helper.owner"), `${spawnSync("true").pid} 1\n`); // a helper that has exited
  const orphan = serve(orphanDir);
  const owned = new PrivateDir(prefix); // this helper's, alive
  const kept = serve(owned.path);
  const exited = new Promise((r) => orphan.once("exit", r));
  try {
    for (let i = 0; i < 100 && !(existsSync(join(orphanDir, "nbdkit.pid")) && existsSync(owned.file("nbdkit.pid"))); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100)); // the pid written into the files
    assert.deepEqual(sweepStalePrivateDirs(prefix), [orphanDir]);
    await exited;
    assert.equal(kept.exitCode, null, "the live helper's server was stopped");
    assert.ok(existsSync(owned.file("nbd.sock")));
  } finally {
    orphan.kill("SIGKILL");
    kept.kill("SIGKILL");
    rmSync(orphanDir, { recursive: true, force: true });
    owned.remove();
  }
});

test("a private dir whose server is still writing its pid file (empty, as nbdkit and qemu-nbd create it) is not swept", () => {
  const prefix = `v2k-sweeptest-${process.pid}-`;
  const starting = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(starting, "nbdkit.pid"), ""); // open(O_CREAT|O_TRUNC) done, write(pid) not yet
  writeFileSync(join(starting, "nbd.sock"), "");
  try {
    assert.deepEqual(sweepStalePrivateDirs(prefix), []);
    assert.ok(existsSync(join(starting, "nbd.sock")), "the starting server's socket was removed");
    assert.deepEqual(sweepStalePrivateDirs(prefix, Date.now() + 2 * 3600_000), [starting]); // an hour on, left by a crash
  } finally {
    rmSync(starting, { recursive: true, force: true });
  }
});

test("rbd targets: without qemu's rbd module the error is TOOL_MISSING naming qemu-block-extra", async () => {
  const rbdModule = existsSync("/usr/lib/x86_64-linux-gnu/qemu/block-rbd.so");
  await assert.rejects(openTarget({ kind: "rbd", pool: "v2k-test", image: "nope", createSize: M }), (e: unknown) => {
    assert.ok(e instanceof V2kError);
    if (rbdModule)
      assert.notEqual(e.code, "TOOL_MISSING"); // installed: fails on the missing cluster instead
    else {
      assert.equal(e.code, "TOOL_MISSING");
      assert.match(e.hint, /qemu-block-extra/);
    }
    return true;
  });
});

test("managed daemons: a missing binary is TOOL_MISSING, a server that never gets ready is TIMEOUT and is killed, start-up errors carry stderr", async (t) => {
  const dir = new PrivateDir("v2k-test-");
  t.after(() => dir.remove());
  await assert.rejects(
    ManagedDaemon.start({ name: "x", file: "/nonexistent/v2k-daemon", args: [], pidFile: dir.file("x.pid") }),
    (e: unknown) => e instanceof V2kError && e.code === "TOOL_MISSING",
  );
  const started = Date.now();
  await assert.rejects(
    ManagedDaemon.start({ name: "sleeper", file: "sleep", args: ["30.4242"], pidFile: dir.file("never.pid"), readyTimeoutMs: 300 }),
    (e: unknown) => e instanceof V2kError && e.code === "TIMEOUT",
  );
  assert.ok(Date.now() - started < 6000);
  assert.ok(!pidsOf("sleep").some((a) => a.includes("30.4242")), "the sleeper was not stopped");
  await assert.rejects(
    ManagedDaemon.start({
      name: "nbdkit",
      file: "nbdkit",
      args: ["--foreground", "--unix", dir.file("s"), "--pidfile", dir.file("p"), "no-such-plugin-v2k"],
      pidFile: dir.file("p"),
    }),
    (e: unknown) => e instanceof V2kError && e.code === "PROCESS_FAILED" && /no-such-plugin-v2k/.test(`${e.message}\n${e.detail}`),
  );
});

function pidsOf(name: string): string[][] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8")
          .split("\0")
          .filter((x) => x !== "");
      } catch {
        return [];
      }
    })
    .filter((a) => a[0] === name || a[0]?.endsWith(`/${name}`));
}
