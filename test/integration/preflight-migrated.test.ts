// An already-migrated VM through the real CLI: boot01 migrated through cutover with --start (its KVM copy
// running on the targets), then preflight into the same target directory must say No-Go with the reason
// codes (domain, targets in use, the unfinished migration); after rollback only the migration remains,
// after cleanup preflight is Go again.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type LibvirtdHandle } from "../support/libvirtd";
import { LabMigrationWorld } from "../support/lab-migration";
import { cli, cliOk } from "../unit/cutover/cli-helpers";

const world = new LabMigrationWorld({ dir: "v2k-preflight-migrated-", domain: "v2k-t-pfm-", bridge: "v2kbr" }, (dir) => ({
  V2K_STATE_DIR: join(dir, "state"),
}));
const { domain, bridge } = world;
let lv: LibvirtdHandle;
let dir: string;
let env: Record<string, string>;

before(async () => {
  ({ lv, dir, env } = await world.open());
});
after(() => world.close());

type Check = { id: string; status: string; reason: string };
async function preflight(dst: string): Promise<{ go: boolean; byId: Record<string, Check> }> {
  const r = await cli(["preflight", "--vm", "boot01", "--dst", dst], { env });
  assert.ok(r.data, `preflight gave no result: ${JSON.stringify(r.error)}`);
  assert.equal(r.code, r.data.go ? 0 : 3);
  return { go: r.data.go, byId: Object.fromEntries((r.data.checks as Check[]).map((c) => [c.id, c])) };
}

test("boot01 migrated and running on KVM: preflight into the same directory is No-Go with the reasons", async () => {
  const dst = join(dir, "dst");
  mkdirSync(dst);
  const fresh = await preflight(dst);
  assert.equal(fresh.go, true, JSON.stringify(fresh.byId));
  for (const id of ["kvm-domain", "target-in-use", "other-migration"]) assert.equal(fresh.byId[id]?.status, "pass", id);

  const init = await cliOk(["init", "--vm", "boot01", "--dst", dst], { env });
  const W = init.workdir as string;
  assert.ok(W.startsWith(join(dir, "state") + "/"), W);
  await cliOk(["--workdir", W, "cbt", "enable"], { env });
  await cliOk(["--workdir", W, "sync", "base"], { env });
  const cut = ["--shutdown", "poweroff", "--domain-name", domain, "--domain-type", "qemu", "--network-map-default", bridge];
  const c = await cliOk(["--workdir", W, "cutover", ...cut, "--graphics", "none", "--start"], { env });
  assert.equal(c.started, true);
  assert.equal(await lv.virsh.domState(domain), "running");

  const again = await preflight(dst);
  assert.equal(again.go, false);
  const { "kvm-domain": dom, "target-in-use": inUse, "other-migration": other } = again.byId;
  assert.equal(dom?.status, "fail");
  assert.match(dom!.reason, new RegExp(`^DOMAIN_EXISTS: libvirt domain '${domain}' \\(running, same uuid`));
  assert.equal(inUse?.status, "fail");
  assert.match(inUse!.reason, /^TARGET_IN_USE: .*boot01-disk0\.qcow2 is open in qemu/);
  assert.match(inUse!.reason, new RegExp(`boot01-disk0\\.qcow2 is a disk of the libvirt domain '${domain}'`));
  assert.equal(other?.status, "fail");
  assert.match(other!.reason, new RegExp(`^MIGRATION_EXISTS: ${W} \\(started\\)`));

  // rolled back: the domain and its use of the targets are gone, the unfinished migration is still there
  await cliOk(["--workdir", W, "rollback"], { env });
  const rolled = await preflight(dst);
  assert.equal(rolled.go, false);
  assert.equal(rolled.byId["kvm-domain"]?.status, "pass");
  assert.equal(rolled.byId["target-in-use"]?.status, "pass");
  assert.match(rolled.byId["other-migration"]!.reason, /\(rolled-back\)/);

  await cliOk(["--workdir", W, "cleanup"], { env });
  const cleaned = await preflight(dst);
  assert.equal(cleaned.go, true, JSON.stringify(cleaned.byId));
});
