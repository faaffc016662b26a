// Preflight's "already migrated" checks: a domain of the VM, targets in use, other migrations of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { V2kError } from "../../../src/shared/v2k-error";
import { processesHolding } from "../../../src/kit/process";
import {
  candidateTargets,
  existingDomainCheck,
  findOtherMigrations,
  otherMigrationsCheck,
  targetsInUseCheck,
} from "../../../src/helper/preflight/already-migrated";
import { sampleManifest } from "../page/fixtures";

const vm = { name: "web 01", moref: "vm-1", uuid: "U-1", instanceUuid: null, vcenterUrl: "https://127.0.0.2:8443/sdk" };

test("candidate targets are the image names init would use, in both formats, or the block devices", () => {
  assert.deepEqual(candidateTargets("web 01", 2, "/dst"), [
    "/dst/web_01-disk0.qcow2",
    "/dst/web_01-disk0.raw",
    "/dst/web_01-disk1.qcow2",
    "/dst/web_01-disk1.raw",
  ]);
  assert.deepEqual(candidateTargets("web 01", 2, "/dst", ["/dev/vdb"]), ["/dev/vdb"]);
});

test("an existing domain is a No-Go naming it; libvirt unreachable is a warning, not a pass", () => {
  const fail = existingDomainCheck([{ name: "web01", uuid: "u", state: "running", by: "uuid" }]);
  assert.equal(fail.status, "fail");
  assert.match(fail.reason, /^DOMAIN_EXISTS: .*'web01' \(running, same uuid u\)/);
  assert.equal(existingDomainCheck([]).status, "pass");
  assert.equal(existingDomainCheck(new V2kError("VIRSH_FAILED", "no libvirtd", "h")).status, "warn");
});

test("a target open in a process or used by a domain is a No-Go; others' disks do not count", () => {
  const holders = [{ pid: 42, program: "qemu-system-x86", path: "/dst/a.qcow2" }];
  const byProcess = targetsInUseCheck(holders, [], ["/dst/a.qcow2"]);
  assert.equal(byProcess.status, "fail");
  assert.match(byProcess.reason, /^TARGET_IN_USE: \/dst\/a.qcow2 is open in qemu-system-x86 \(pid 42\)/);
  const byDomain = targetsInUseCheck([], [{ domain: "d1", source: "/dst/a.qcow2" }], ["/dst/a.qcow2"]);
  assert.match(byDomain.reason, /disk of the libvirt domain 'd1'/);
  assert.equal(targetsInUseCheck([], [{ domain: "d1", source: "/other.qcow2" }], ["/dst/a.qcow2"]).status, "pass");
});

test("processesHolding finds a process that has the file open, and nothing for a closed file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "v2k-hold-"));
  const open = join(dir, "open.raw");
  const closed = join(dir, "closed.raw");
  writeFileSync(open, "x");
  writeFileSync(closed, "x");
  const child = spawn("bash", ["-c", 'exec 3<"$0"; echo ready; exec sleep 30', open], { stdio: ["ignore", "pipe", "ignore"] });
  try {
    await new Promise((r) => child.stdout.once("data", r));
    const found = processesHolding([open, closed]);
    assert.deepEqual(
      found.map((h) => [h.pid, h.path]),
      [[child.pid, open]],
    );
  } finally {
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("other migrations: the same uuid, or the same moref in the same vCenter, not cleaned up", async () => {
  const root = mkdtempSync(join(tmpdir(), "v2k-others-"));
  const put = (rel: string, m: ReturnType<typeof sampleManifest>) => {
    mkdirSync(join(root, rel), { recursive: true });
    writeFileSync(join(root, rel, "manifest.json"), JSON.stringify(m));
  };
  try {
    put("web01/r1", sampleManifest({ runId: "r1", phase: "started" })); // moref vm-1 in the same vCenter
    put("web01/r2", sampleManifest({ runId: "r2", phase: "cleaned" }));
    const otherVc = sampleManifest({
      runId: "r3",
      phase: "base-synced",
      vcenter: { url: "https://x/sdk", username: "a", insecure: false },
    });
    put("other/r3", { ...otherVc, vm: { ...otherVc.vm, uuid: "u-3" } }); // moref vm-1 of another vCenter
    const uuidTwin = sampleManifest({ runId: "r4", phase: "rolled-back" });
    put("lab2/r4", { ...uuidTwin, vcenter: { ...uuidTwin.vcenter, url: "https://y/sdk" }, vm: { ...uuidTwin.vm, moref: "vm-9" } });
    mkdirSync(join(root, "broken"));
    writeFileSync(join(root, "broken", "manifest.json"), "{");
    const found = await findOtherMigrations(root, { ...vm, uuid: "u-1" });
    assert.deepEqual(found.map((o) => o.workdir).sort(), [join(root, "lab2/r4"), join(root, "web01/r1")]);
    const check = otherMigrationsCheck(found);
    assert.equal(check.status, "fail");
    assert.match(check.reason, /^MIGRATION_EXISTS: .*\(started\)/);
    assert.deepEqual(await findOtherMigrations(root, { ...vm, uuid: "u-2", moref: "vm-2" }), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
