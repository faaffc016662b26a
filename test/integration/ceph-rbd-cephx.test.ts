// boot01 migrated into Ceph RBD on a real single-node cluster with cephx, through the helper CLI and a
// restricted client (profile rbd): rounds with guest writes, cutover to a domain whose disk is
// <disk type='network'> with the monitors and a libvirt secret (no key in the XML or argv), verify full,
// a start that boots to the guest's marker, a corrupted RADOS object that verify catches, and rollback.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "../../src/kit/exec";
import { type TestCeph, startTestCeph } from "../support/ceph";
import { type LibvirtdHandle } from "../support/libvirtd";
import { type TestLab } from "../support/lab";
import { LabMigrationWorld } from "../support/lab-migration";
import { waitForConsole } from "../support/console-log";
import { cli, cliOk } from "../unit/cutover/cli-helpers";

const MiB = 1 << 20;
const world = new LabMigrationWorld({ dir: "v2k-rbd-cephx-", domain: "v2k-t-rbd-", bridge: "v2kbr" });
const { domain, bridge } = world;
world.alsoDomain(`${domain}-v2k-boot-check`);
let ceph: TestCeph;
let lv: LibvirtdHandle;
let lab: TestLab;
let dir: string;
let env: Record<string, string>;
let W: string;

before(async () => {
  let opened;
  [ceph, opened] = await Promise.all([startTestCeph({ auth: "cephx" }), world.open()]);
  ({ lv, lab, dir, env } = opened);
  process.stderr.write(`single-node Ceph (cephx) up in ${(ceph.startMs / 1000).toFixed(1)} s\n`);
  world.onClose(async (lv) => {
    const secret = W && existsSync(join(W, "manifest.json")) ? manifest().target.ceph?.secretUuid : undefined;
    if (secret) await lv.virsh.run(["secret-undefine", secret]);
  });
});

after(async () => {
  await world.close();
  if (ceph) await ceph.stop();
});

const manifest = () => JSON.parse(readFileSync(join(W, "manifest.json"), "utf8"));
const cut = [
  "--shutdown",
  "poweroff",
  "--domain-name",
  domain,
  "--domain-type",
  "qemu",
  "--network-map-default",
  bridge,
  "--graphics",
  "none",
];

test("boot01 into RBD with cephx: rounds, cutover to a network disk with a secret, verify full and boot, boots to its marker", async () => {
  W = join(dir, "wd");
  const key = (
    await exec("ceph-authtool", [join(ceph.dir, "keyring/ceph.client.v2k.keyring"), "-n", "client.v2k", "-p"], { timeoutMs: 10_000 })
  ).stdout.trim();
  await cliOk(
    [
      "--workdir",
      W,
      "init",
      "--vm",
      "boot01",
      "--target-storage",
      "rbd",
      "--rbd-pool",
      ceph.pool,
      "--ceph-conf",
      ceph.conf,
      "--ceph-id",
      "v2k",
    ],
    { env },
  );
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  await cliOk(["--workdir", W, "sync", "base"], { env });
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "boot01", "--disk", "0", "--offset", "64M", "--length", "1M", "--seed", "11"]);
  assert.equal((await cliOk(["--workdir", W, "sync", "incr"], { env })).changedBytes, MiB);
  await cliOk(["lab", "write", "--dir", lab.dir, "--vm", "boot01", "--disk", "0", "--offset", "96M", "--length", "64K", "--seed", "12"]);

  const c = await cliOk(["--workdir", W, "cutover", ...cut], { env });
  assert.equal(c.domainName, domain);
  const m = manifest();
  assert.equal(m.rounds.at(-1).changedBytes, 64 * 1024, "the final round carried the last write");
  const sourceHash = (await cliOk(["lab", "disk-hash", "--dir", lab.dir, "--vm", "boot01", "--disk", "0"])).sha256;
  assert.equal(await ceph.exportSha256(ceph.pool, "boot01-disk0"), sourceHash);

  // the defined domain: a network disk on the monitors, cephx through the secret; the key nowhere in XML or manifest
  const xml = (await lv.virsh.dumpXml(domain, true))!;
  assert.match(
    xml,
    new RegExp(
      `<source protocol='rbd' name='${ceph.pool}/boot01-disk0'[^>]*>\\s*<host name='${ceph.monHost.replace(/\./g, "\\.")}' port='3300'/>`,
    ),
  );
  assert.match(xml, new RegExp(`<auth username='v2k'>\\s*<secret type='ceph' uuid='${m.target.ceph.secretUuid}'/>`));
  for (const text of [xml, readFileSync(join(W, "manifest.json"), "utf8"), readFileSync(join(W, "events.log"), "utf8")])
    assert.ok(!text.includes(key));
  // the secret is private (libvirt never hands its value out again); the boot below proves it holds the key
  assert.ok((await lv.virsh.run(["secret-list"])).includes(m.target.ceph.secretUuid));

  const full = await cli(["--workdir", W, "verify", "--mode", "full"], { env });
  assert.equal(full.ok, true, JSON.stringify(full.error));
  // boot check: a transient domain on qcow2 overlays whose backing file is the RBD image
  const b = await cliOk(
    ["--workdir", W, "verify", "--mode", "boot", "--boot-marker", "V2K-BOOT-OK boot01", "--boot-timeout", "240", "--no-agent"],
    { env },
  );
  assert.equal(b.boot.via, "console");
  const s = await cliOk(["--workdir", W, "cutover", ...cut, "--start"], { env });
  assert.equal(s.started, true);
  const ms = await waitForConsole(c.consoleLog, /V2K-BOOT-OK boot01/, 240_000);
  process.stderr.write(`boot01 on RBD reached its marker under libvirt (TCG) ${(ms / 1000).toFixed(1)} s after start\n`);
});

test("a corrupted RADOS object of the image is caught by verify full", async () => {
  await lv.virsh.destroy(domain);
  const info = JSON.parse(await ceph.rbd(["info", "--format", "json", `${ceph.pool}/boot01-disk0`]));
  const object = `${info.block_name_prefix}.${(16).toString(16).padStart(16, "0")}`; // 64 MiB / 4 MiB objects
  const junk = join(dir, "junk");
  writeFileSync(junk, Buffer.alloc(4096, 0xab));
  await exec("rados", ["-c", ceph.conf, "-p", ceph.pool, "put", object, junk], { timeoutMs: 30_000 });
  const r = await cli(["--workdir", W, "verify", "--mode", "full"], { env });
  assert.equal(r.error?.code, "VERIFY_MISMATCH", JSON.stringify(r.error));
  assert.match(r.error!.message, /differs at offset 67108864/);
});

test("rollback keeps the images without --remove-disks, removes them and the secret with it", async () => {
  const secret = manifest().target.ceph.secretUuid as string;
  const keep = await cliOk(["--workdir", W, "rollback"], { env });
  assert.equal(keep.domainUndefined, true);
  assert.deepEqual(await ceph.images(ceph.pool), ["boot01-disk0"]);
  assert.ok(!(await lv.virsh.run(["secret-list"])).includes(secret), "the secret went with the domain");
  const rm = await cliOk(["--workdir", W, "rollback", "--remove-disks"], { env });
  assert.deepEqual(rm.disksRemoved, [`rbd:${ceph.pool}/boot01-disk0`]);
  assert.deepEqual(await ceph.images(ceph.pool), []);
});
