// Fleet mode's pure parts: which VMs, their target directories, the per-VM run's arguments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fleetVms, stripFleetArgs, vmDirName } from "../../../src/helper/run/fleet";

test("fleet VMs: a comma list or a file of names; one name is not a fleet; empty and repeated names refused", (t) => {
  assert.equal(fleetVms("web01", undefined), null);
  assert.deepEqual(fleetVms("a, b,c", undefined), ["a", "b", "c"]);
  const d = mkdtempSync(join(tmpdir(), "v2k-fleet-"));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  writeFileSync(join(d, "vms"), "# wave 1\nweb01\n\ndb, primary\n");
  assert.deepEqual(fleetVms(undefined, join(d, "vms")), ["web01", "db, primary"]);
  for (const bad of ["a,,b", "a,b,a", "x/y,x_y"])
    assert.throws(
      () => fleetVms(bad, undefined),
      (e: { code?: string }) => e.code === "USAGE",
      bad,
    );
});

test("a VM's directory under --dst never leaves it", () => {
  assert.equal(vmDirName("web01"), "web01");
  assert.equal(vmDirName(".."), "__");
  assert.equal(vmDirName("db 01 $(id)/x"), "db_01___id__x");
  assert.equal(vmDirName("데이터"), "___");
});

test("each VM's detached run keeps the shared options, not the fleet's --vm, --dst and --fleet", () => {
  assert.deepEqual(
    stripFleetArgs(["run", "--vm", "a,b", "--dst=/d", "--bwlimit", "20", "--fleet", "f", "--until", "synced", "--password-stdin"]),
    ["run", "--bwlimit", "20", "--until", "synced", "--password-stdin"],
  );
});
