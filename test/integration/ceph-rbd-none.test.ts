// Migrating into Ceph RBD on a real single-node cluster with auth none, through the helper CLI: init's
// refusals (missing pool, existing images, --force only for our own), base and incremental rounds of the
// lab's web01 with guest writes (images equal to the lab's disks, and thin), a base copy killed with -9
// and resumed (byte-identical), rollback --remove-disks removing our images only, and preflight's RBD checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { type TestCeph, startTestCeph } from "../support/ceph";
import { type TestLab, repoRoot, startTestLab } from "../support/lab";
import { cli, cliOk, entry, labEnv } from "../unit/cutover/cli-helpers";

const MiB = 1 << 20;
let ceph: TestCeph;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "v2k-rbd-none-"));
  [ceph, lab] = await Promise.all([startTestCeph({ auth: "none" }), startTestLab()]);
  process.stderr.write(`single-node Ceph (auth none) up in ${(ceph.startMs / 1000).toFixed(1)} s\n`);
  env = labEnv(lab);
});

after(async () => {
  if (ceph) await ceph.stop();
  if (lab) await lab.stop();
  rmSync(dir, { recursive: true, force: true });
});

const rbdArgs = () => ["--target-storage", "rbd", "--ceph-conf", ceph.conf, "--ceph-id", ceph.clientId];
const manifest = (W: string) => JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
const labHash = async (vm: string, disk: number) =>
  (await cliOk(["lab", "disk-hash", "--dir", lab.dir, "--vm", vm, "--disk", String(disk)])).sha256 as string;

test("init refuses a missing pool, a foreign image of a target's name, and our leftover unless --force", async () => {
  const missing = await cli(["--workdir", join(dir, "wd-nopool"), "init", "--vm", "boot01", ...rbdArgs(), "--rbd-pool", "nosuchpool"], {
    env,
  });
  assert.equal(missing.error?.code, "RBD_POOL_MISSING", JSON.stringify(missing.error));
  assert.equal(existsSync(join(dir, "wd-nopool", "manifest.json")), false);
  const usage = await cli(["--workdir", join(dir, "wd-x"), "init", "--vm", "boot01", ...rbdArgs()], { env });
  assert.equal(usage.error?.code, "USAGE", "rbd needs a pool");

  await ceph.rbd(["create", "--size", "1M", `${ceph.pool}/boot01-disk0`]); // someone else's image
  const foreign = await cli(["--workdir", join(dir, "wd-f"), "init", "--vm", "boot01", ...rbdArgs(), "--rbd-pool", ceph.pool, "--force"], {
    env,
  });
  assert.equal(foreign.error?.code, "RBD_IMAGE_EXISTS");
  assert.match(foreign.error!.message, /not created by ablestack-v2k/);
  await ceph.rbd(["rm", "--no-progress", `${ceph.pool}/boot01-disk0`]);

  // an image per disk via --target-map-json; a second init of another workdir finds it ours and refuses without --force
  const map = JSON.stringify({ "scsi0:0": `rbd:${ceph.pool}/b1-root` });
  const first = await cliOk(["--workdir", join(dir, "wd-a"), "init", "--vm", "boot01", ...rbdArgs(), "--target-map-json", map], { env });
  const m = manifest(first.workdir);
  assert.equal(m.disks[0].target.path, `rbd:${ceph.pool}/b1-root`);
  assert.deepEqual([m.target.mode, m.target.ceph.conf, m.target.ceph.id], ["rbd", ceph.conf, ceph.clientId]);
  assert.equal((await ceph.rbd(["image-meta", "get", `${ceph.pool}/b1-root`, "ablestack-v2k.run-id"])).trim(), m.runId);
  const again = await cli(["--workdir", join(dir, "wd-b"), "init", "--vm", "boot01", ...rbdArgs(), "--target-map-json", map], { env });
  assert.equal(again.error?.code, "RBD_IMAGE_EXISTS");
  const forced = await cliOk(
    ["--workdir", join(dir, "wd-b"), "init", "--vm", "boot01", ...rbdArgs(), "--target-map-json", map, "--force"],
    { env },
  );
  assert.equal(
    (await ceph.rbd(["image-meta", "get", `${ceph.pool}/b1-root`, "ablestack-v2k.run-id"])).trim(),
    manifest(forced.workdir).runId,
  );
  // the old run's rollback leaves the image the new run took over alone
  const rb = await cliOk(["--workdir", first.workdir, "rollback", "--remove-disks", "--keep-source-off"], { env });
  assert.deepEqual(rb.disksRemoved, []);
  assert.deepEqual(await ceph.images(ceph.pool), ["b1-root"]);
  await cliOk(["--workdir", forced.workdir, "rollback", "--remove-disks", "--keep-source-off"], { env });
  assert.deepEqual(await ceph.images(ceph.pool), []);
});

test("web01 into RBD: base killed with -9 and resumed, incremental rounds with guest writes; images equal the lab's disks and stay thin", async () => {
  const W = join(dir, "wd-web01");
  await cliOk(["--workdir", W, "init", "--vm", "web01", ...rbdArgs(), "--rbd-pool", ceph.pool], { env });
  assert.deepEqual((await ceph.images(ceph.pool)).sort(), ["web01-disk0", "web01-disk1"]);
  const key1 = manifest(W).disks[1].key as number;
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  // enough data that the kill lands while the copy runs
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "web01", "--disk", "1", "--offset", "128M", "--length", "384M", "--seed", "5"]);
  const child = execa(process.execPath, ["--import", "tsx", entry, "--workdir", W, "--json", "sync", "base"], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    reject: false,
    stdin: "ignore",
    buffer: false,
  });
  let killedAt = -1;
  let out = "";
  await new Promise<void>((resolve) => {
    let buf = "";
    child.stdout!.on("data", (b: Buffer) => {
      buf += b.toString();
      out += b.toString();
      for (const line of buf.split("\n").slice(0, -1)) {
        const e = line.startsWith("{") ? JSON.parse(line) : null;
        if (killedAt < 0 && e?.type === "progress" && e.disk === key1 && e.bytes > 0 && e.bytes < e.total) {
          killedAt = e.bytes;
          child.kill("SIGKILL");
          resolve();
        }
      }
      buf = buf.slice(buf.lastIndexOf("\n") + 1);
    });
    void child.then(() => resolve());
  });
  await child;
  assert.ok(killedAt > 0, `the helper was killed in the middle of the second disk's copy:\n${out.slice(-3000)}`);
  const mid = manifest(W);
  assert.equal(mid.disks.find((d: { key: number }) => d.key === key1).syncedChangeId, null, "nothing committed for the killed disk");

  const base = await cliOk(["--workdir", W, "sync", "base"], { env });
  assert.ok(base);
  for (const disk of [0, 1])
    assert.equal(await ceph.exportSha256(ceph.pool, `web01-disk${disk}`), await labHash("web01", disk), `disk ${disk} after resume`);

  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "web01", "--disk", "0", "--offset", "300M", "--length", "1M", "--seed", "6"]);
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "web01", "--disk", "1", "--offset", "200M", "--length", "2M", "--seed", "7"]);
  const r1 = await cliOk(["--workdir", W, "sync", "incr"], { env });
  assert.equal(r1.changedBytes, 3 * MiB);
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "web01", "--disk", "0", "--offset", "0", "--length", "64K", "--seed", "8"]);
  await cliOk(["--workdir", W, "sync", "incr"], { env });
  for (const disk of [0, 1])
    assert.equal(await ceph.exportSha256(ceph.pool, `web01-disk${disk}`), await labHash("web01", disk), `disk ${disk} after incr`);

  // thin: disk 0 (2 GiB, a few MiB of data) holds little more than its data
  const du = JSON.parse(await ceph.rbd(["du", "--format", "json", `${ceph.pool}/web01-disk0`]));
  const img = du.images[0];
  assert.ok(img.used_size < 64 * MiB, `web01-disk0 uses ${img.used_size} of ${img.provisioned_size} bytes`);

  // rollback without --remove-disks keeps the images; with it, only ours go (a foreign image stays)
  await ceph.rbd(["create", "--size", "1M", `${ceph.pool}/not-ours`]);
  const keep = await cliOk(["--workdir", W, "rollback"], { env });
  assert.deepEqual(keep.disksRemoved, []);
  assert.deepEqual((await ceph.images(ceph.pool)).sort(), ["not-ours", "web01-disk0", "web01-disk1"]);
  const rm = await cliOk(["--workdir", W, "rollback", "--remove-disks"], { env });
  assert.equal(rm.disksRemoved.length, 2);
  assert.deepEqual(await ceph.images(ceph.pool), ["not-ours"]);
});

test("preflight --target-storage rbd checks the planned images, the pool and its free space, and creates nothing", async () => {
  type Check = { id: string; status: string; reason: string };
  const preflight = async (args: string[]) => {
    const r = await cli(["preflight", "--vm", "web01", ...args], { env });
    assert.ok(r.data, `preflight gave no result: ${JSON.stringify(r.error)}`);
    const byId = Object.fromEntries((r.data.checks as Check[]).map((c) => [c.id, c]));
    return { go: r.data.go as boolean, code: r.code, pool: byId["dst-space"]!, images: byId["rbd-images"]! };
  };
  const usage = await cli(["preflight", "--vm", "web01", ...rbdArgs()], { env });
  assert.equal(usage.error?.code, "USAGE", "rbd needs a pool, as init");
  const fileWithPool = await cli(["preflight", "--vm", "web01", "--dst", dir, "--rbd-pool", ceph.pool], { env });
  assert.equal(fileWithPool.error?.code, "USAGE", "--rbd-pool without rbd storage");

  const before = await ceph.images(ceph.pool);
  const ok = await preflight([...rbdArgs(), "--rbd-pool", ceph.pool]);
  assert.equal(ok.pool.status, "pass", ok.pool.reason);
  assert.match(ok.pool.reason, new RegExp(`pool '${ceph.pool}' can take [0-9.]+ GiB, [0-9.]+ GiB provisioned`));
  assert.deepEqual([ok.images.status, ok.images.reason], ["pass", `none exists yet: ${ceph.pool}/web01-disk0, ${ceph.pool}/web01-disk1`]);
  // the older option name and a target map for one disk (the other in the pool): the names init would take
  const map = JSON.stringify({ "scsi0:0": `rbd:${ceph.pool}/w-root` });
  const alias = await preflight(["--target-mode", "rbd", "--ceph-conf", ceph.conf, "--rbd-pool", ceph.pool, "--target-map-json", map]);
  assert.equal(alias.images.reason, `none exists yet: ${ceph.pool}/w-root, ${ceph.pool}/web01-disk1`);
  assert.deepEqual(await ceph.images(ceph.pool), before, "preflight creates no image");

  const missing = await preflight([...rbdArgs(), "--rbd-pool", "nosuchpool"]);
  assert.deepEqual([missing.go, missing.code, missing.pool.status], [false, 3, "fail"]);
  assert.match(missing.pool.reason, /^RBD_POOL_MISSING: the Ceph pool 'nosuchpool' does not exist\. Create it/);

  await ceph.rbd(["create", "--size", "1M", `${ceph.pool}/web01-disk1`]); // in the way of the second disk
  const taken = await preflight([...rbdArgs(), "--rbd-pool", ceph.pool]);
  assert.deepEqual([taken.go, taken.pool.status, taken.images.status], [false, "pass", "fail"]);
  assert.match(taken.images.reason, new RegExp(`^RBD_IMAGE_EXISTS: the image ${ceph.pool}/web01-disk1 exists and was not created by`));
  await ceph.rbd(["rm", "--no-progress", `${ceph.pool}/web01-disk1`]);

  const noConf = await preflight(["--target-storage", "rbd", "--ceph-conf", join(dir, "missing.conf"), "--rbd-pool", ceph.pool]);
  assert.match(noConf.pool.reason, /^CEPH_UNREACHABLE: /);
  assert.equal(noConf.images.reason, "not checked: the pool is not usable");
});

test("storage pools --json lists the pools with their free space", async () => {
  const r = await cliOk(["storage", "pools", "--ceph-conf", ceph.conf, "--ceph-id", ceph.clientId]);
  const pool = r.pools.find((p: { name: string }) => p.name === ceph.pool);
  assert.ok(pool && pool.maxAvailBytes > 1024 * MiB, JSON.stringify(r));
  const bad = await cli(["storage", "pools", "--ceph-conf", join(dir, "missing.conf")]);
  assert.equal(bad.error?.code, "CEPH_UNREACHABLE", JSON.stringify(bad.error));
});
