// Pure parts of the engine: preflight checks from an inventory, manifest from an inventory,
// datastore URLs, changeId epochs, vSphere fault mapping.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inventoryChecks } from "../../../src/helper/preflight/checks";
import { manifestFromInventory } from "../../../src/helper/sync/inventory-manifest";
import { datastoreFlatUrl, splitDatastorePath } from "../../../src/helper/disk-access/index";
import { changeIdEpoch } from "../../../src/helper/sync/index";
import { mapBridgeError } from "../../../src/helper/vsphere/index";
import { V2kError } from "../../../src/shared/v2k-error";
import { inventory, sampleManifest } from "./fixtures";

const status = (inv: typeof inventory) => Object.fromEntries(inventoryChecks(inv).map((c) => [c.id, c.status]));

test("a plain powered-on Linux VM passes every inventory check", () => {
  for (const c of inventoryChecks(inventory)) assert.equal(c.status, "pass", `${c.id}: ${c.reason}`);
});

test("No-Go reasons: independent disk, physical RDM, shared disk, snapshots, consolidation, suspended", () => {
  const disk = inventory.disks[0]!;
  const bad = {
    ...inventory,
    powerState: "suspended" as const,
    consolidationNeeded: true,
    snapshots: [{ moref: "snapshot-1", name: "before-upgrade", createTime: null, parent: null }],
    disks: [
      { ...disk, diskMode: "independent_persistent" },
      { ...disk, key: 2001, rdm: "physical" as const },
      { ...disk, key: 2002, sharing: "sharingMultiWriter" },
    ],
  };
  const checks = inventoryChecks(bad);
  const s = Object.fromEntries(checks.map((c) => [c.id, c]));
  assert.equal(s["power-state"]!.status, "fail");
  assert.equal(s["consolidation"]!.status, "fail");
  assert.match(s["snapshots"]!.reason, /before-upgrade/);
  assert.match(s["cbt-disks"]!.reason, /independent_persistent.*physical-mode RDM.*shared/);
});

test("warnings: powered off, Windows hibernation unknown or on, secure boot without OVMF, ESXi 6.0, odd NICs", () => {
  assert.equal(status({ ...inventory, powerState: "poweredOff" })["power-state"], "warn");
  const win = { ...inventory, guestId: "windows2019srv_64Guest" };
  assert.equal(status(win)["windows-hibernation"], "warn");
  assert.equal(
    status({ ...win, guestinfo: { "guestinfo.windowsFastStartup": "false", "guestinfo.hibernation": "false" } })["windows-hibernation"],
    "pass",
  );
  assert.equal(status({ ...win, guestinfo: { "guestinfo.hibernation": "true" } })["windows-hibernation"], "warn");
  assert.equal(status({ ...inventory, host: { moref: "host-1", name: "esx", version: "6.0.0", build: "1" } })["esxi-version"], "warn");
  assert.equal(status({ ...inventory, nics: [] }).layout, "warn");
  assert.equal(status({ ...inventory, vtpm: true }).vtpm, "warn");
  assert.equal(status({ ...inventory, disks: [{ ...inventory.disks[0]!, controllerKey: 999 }] }).layout, "fail");
});

test("the manifest from an inventory: disks, targets, nothing synced, refusals for unsnapshottable disks", () => {
  const m = sampleManifest("/dst");
  assert.equal(m.phase, "initialized");
  assert.deepEqual(
    m.disks.map((d) => [d.key, d.index, d.datastore, d.target.path]),
    [
      [2000, 0, "ds1", "/dst/web01-disk0.qcow2"],
      [16000, 1, "ds1", "/dst/web01-disk1.qcow2"],
    ],
  );
  assert.ok(m.disks.every((d) => d.syncedChangeId === null && d.needsRebase === null));
  assert.equal(m.vcenter.datacenter, "DC1");
  assert.equal(m.vm.toolsRunningAtInit, true); // the cutover dialog preselects power off without them
  assert.equal(JSON.stringify(m).includes("secret-pw"), false);
  assert.throws(
    () =>
      manifestFromInventory({
        runId: "r",
        inventory: { ...inventory, disks: [{ ...inventory.disks[0]!, diskMode: "independent_persistent" }] },
        dst: "/d",
        format: "raw",
        mode: "file",
        transport: "http",
        access: { url: "u", host: "h", port: 443, username: "u", password: "p", thumbprint: undefined, insecure: true },
      }),
    (e) => e instanceof V2kError && e.code === "CBT_UNSUPPORTED",
  );
});

test("datastore paths and /folder URLs of the frozen base file", () => {
  assert.deepEqual(splitDatastorePath("[ds 1] web 01/web01.vmdk"), { datastore: "ds 1", path: "web 01/web01.vmdk" });
  assert.equal(
    datastoreFlatUrl("10.0.0.5", 443, "DC 1", "[ds 1] web 01/web01.vmdk"),
    "https://10.0.0.5:443/folder/web%2001/web01-flat.vmdk?dcPath=DC%201&dsName=ds%201",
  );
  assert.throws(() => splitDatastorePath("/vmfs/volumes/x.vmdk"), V2kError);
});

test("changeId epochs: same epoch continues, a reset changes it", () => {
  assert.equal(changeIdEpoch("52 3f 1a/12"), "52 3f 1a");
  assert.equal(changeIdEpoch("52 3f 1a/12"), changeIdEpoch("52 3f 1a/40"));
  assert.notEqual(changeIdEpoch("52 3f 1a/12"), changeIdEpoch("52 99 00/1"));
});

test("vSphere faults map to stable codes with hints", () => {
  const cases: [string, { kind: string; fault: string }, string][] = [
    ["connect", { kind: "login-failed", fault: "InvalidLogin" }, "LOGIN_FAILED"],
    ["inventory", { kind: "vm-not-found", fault: "NotFound" }, "VM_NOT_FOUND"],
    ["snapshotCreate", { kind: "task-failed", fault: "SnapshotFault" }, "SNAPSHOT_FAILED"],
    ["powerOn", { kind: "task-failed", fault: "InvalidState" }, "TASK_FAILED"],
    ["qcda", { kind: "fault", fault: "FileFault" }, "CBT_NOT_ACTIVE"],
    ["qcda", { kind: "qcda-incomplete", fault: "Coverage" }, "QCDA_INCOMPLETE"],
    ["connect", { kind: "unreachable", fault: "ConnectionRefusedError" }, "VCENTER_UNREACHABLE"],
    ["vmState", { kind: "fault", fault: "NotAuthenticated" }, "SESSION_EXPIRED"],
    ["shutdownGuest", { kind: "fault", fault: "ToolsUnavailable" }, "VSPHERE_FAULT"],
    ["connect", { kind: "pyvmomi-missing", fault: "ImportError" }, "PYVMOMI_MISSING"],
  ];
  for (const [op, e, code] of cases) {
    const err = mapBridgeError(op, { ...e, message: "m" }, "https://vc/sdk");
    assert.equal(err.code, code, `${op} ${e.kind}/${e.fault}`);
    assert.ok(err.hint.length > 10);
    assert.equal(err.fault, e.fault);
  }
});

test("vddk transport: the nbdkit vddk source reads the round's snapshot; the password only via +FILE", async () => {
  const { sourceSpecOf } = await import("../../../src/helper/disk-access/index");
  const { vddkArgs, PrivateDir } = await import("../../../src/helper/endpoints/index");
  const m = {
    ...sampleManifest("/dst"),
    target: { dir: "/dst", format: "qcow2" as const, mode: "file" as const, transport: "vddk" as const },
  };
  const session = {
    access: {
      url: "https://vc.example/sdk",
      host: "vc.example",
      port: 443,
      username: "admin",
      password: "vddk-secret-5",
      thumbprint: "AA:BB",
      insecure: false,
    },
    certificate: { thumbprint: "AA:BB", pem: "" },
    bridge: {} as never,
  };
  const spec = await sourceSpecOf(m, session, "[ds1] web01/web01.vmdk", "snapshot-7");
  assert.equal(spec.kind, "vddk");
  if (spec.kind !== "vddk") return;
  assert.deepEqual(
    [spec.server, spec.vmMoref, spec.snapshotMoref, spec.file, spec.thumbprint],
    ["vc.example", "vm-12", "snapshot-7", "[ds1] web01/web01.vmdk", "AA:BB"],
  );
  const dir = new PrivateDir();
  try {
    const args = vddkArgs(spec, dir);
    assert.ok(args.includes("vm=moref=vm-12") && args.includes("snapshot=snapshot-7"));
    assert.equal(args.join(" ").includes("vddk-secret-5"), false, "no password in argv");
    assert.ok(args.some((a) => a.startsWith("password=+")));
  } finally {
    dir.remove();
  }
});

test("VMware Tools not running in a running VM: a warning (Go stays), and the manifest records it for cutover", () => {
  const noTools = { ...inventory, powerState: "poweredOn" as const, toolsRunning: false };
  const check = inventoryChecks(noTools).find((c) => c.id === "guest-tools");
  assert.equal(check?.status, "warn");
  assert.match(check?.reason ?? "", /power the VM off/);
  assert.equal(status({ ...noTools, toolsRunning: true })["guest-tools"], "pass");
  assert.equal(status({ ...noTools, powerState: "poweredOff" })["guest-tools"], undefined);
});
