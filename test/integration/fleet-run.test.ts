// Fleet mode against the lab: `run --vm fleet01,fleet02` starts one background run per VM (own workdir,
// DST/<vm>), `status --vm` and `list` show them together, and both end synced and byte-identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashImage, labHash, ok, readManifestFile, startLab, tempDir } from "./engine-support";

test("run --vm a,b: one background migration per VM, shown together, both byte-identical", { timeout: 300_000 }, async (t) => {
  const lab = await startLab(t, "fleet");
  const dir = tempDir(t, "v2k-fleet-it-");
  const conf = join(dir, "ablestack-v2k.conf");
  writeFileSync(conf, "max-parallel-disks=2\n");
  const env = { ...lab.env, ABLESTACK_V2K_CONFIG: conf, ABLESTACK_V2K_SLOTS_DIR: join(dir, "slots"), V2K_STATE_DIR: join(dir, "state") };
  const started = await ok(
    ["run", "--vm", "fleet01,fleet02", "--dst", join(dir, "dst"), "--until", "synced", "--interval", "0", "--max-rounds", "1"],
    {
      env,
    },
  );
  assert.deepEqual(
    started.fleet.map((m: { vm: string }) => m.vm),
    ["fleet01", "fleet02"],
  );
  for (const m of started.fleet) {
    assert.equal(m.error, undefined, JSON.stringify(m.error));
    assert.ok(m.workdir.startsWith(join(dir, "state", m.vm)), m.workdir);
  }
  const deadline = Date.now() + 240_000;
  let list: any;
  for (;;) {
    list = await ok(["list"], { env });
    const ours = list.migrations.filter((m: any) => ["fleet01", "fleet02"].includes(m.manifest.vm.name));
    if (ours.length === 2 && ours.every((m: any) => m.running === null && m.manifest.phase === "incr-synced")) break;
    assert.ok(Date.now() < deadline, `fleet did not finish: ${JSON.stringify(ours.map((m: any) => [m.manifest.phase, m.running]))}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const status = await ok(["status", "--vm", "fleet01,fleet02"], { env });
  assert.deepEqual(status.migrations.map((s: { vm: string }) => s.vm).sort(), ["fleet01", "fleet02"]);
  for (const s of status.migrations) assert.equal(s.phase, "incr-synced");
  for (const m of started.fleet) {
    const man = readManifestFile(m.workdir);
    assert.equal(man.disks[0].target.path.startsWith(join(dir, "dst", m.vm) + "/"), true, man.disks[0].target.path);
    for (const [n, d] of man.disks.entries())
      assert.equal(await hashImage(d.target.path, d.target.format), await labHash(lab, m.vm, n), `${m.vm} disk ${n} byte-identical`);
  }
});
