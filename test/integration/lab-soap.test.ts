// pyVmomi 6.7.1 (Debian, /usr/bin/python3) against the lab: connect modes, inventory through the
// PropertyCollector with paging, search index, tasks, snapshots, power operations, update waits and
// the typed faults a real vCenter returns.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { type TestLab, labControl, labOps, startTestLab } from "../support/lab";

let lab: TestLab;
let inventory: any; // the model's own view (control API), to compare the SOAP view with

before(async () => {
  lab = await startTestLab({ scenario: "default" });
  inventory = await labControl(lab, "GET", "inventory");
});
after(async () => {
  await lab?.stop();
});

const vmByName = (name: string) => inventory.vms.find((v: any) => v.name === name);
const ok = (r: any) => {
  assert.ok(r && "ok" in r, `expected success, got ${JSON.stringify(r)}`);
  return r.ok;
};

test("SmartConnect works unverified, thumbprint-pinned and with the lab cert as CA; a wrong pin is refused", async () => {
  const [a, b, c] = await labOps(lab, [
    { op: "connect", mode: "unverified" },
    { op: "connect", mode: "thumbprint" },
    { op: "connect", mode: "cafile" },
  ]);
  for (const r of [a, b, c]) {
    const v = ok(r);
    assert.equal(v.apiVersion, "6.7.3");
    assert.equal(v.versionId, '"urn:vim25/6.7.1"');
    assert.equal(v.session, lab.username);
  }
  const wrong = lab.thumbprint.replace(/^../, lab.thumbprint.startsWith("00") ? "11" : "00");
  const [bad] = await labOps(lab, [{ op: "connect", mode: "thumbprint" }], { thumbprint: wrong });
  assert.ok(bad.error || bad.fault, `a wrong thumbprint must fail: ${JSON.stringify(bad)}`);
});

test("one PropertyCollector query pages with maxObjects and reports every VM's hardware as the model holds it", async () => {
  const [paged, whole] = await labOps(lab, [{ op: "inventory", maxObjects: 1 }, { op: "inventory" }]);
  const p = ok(paged);
  assert.equal(p.pages, inventory.vms.length, "maxObjects=1 gives one page per VM");
  assert.equal(ok(whole).pages, 1);
  assert.deepEqual(p.vms.map((v: any) => v.moref).sort(), inventory.vms.map((v: any) => v.moref).sort());
  for (const v of p.vms) {
    const m = inventory.vms.find((x: any) => x.moref === v.moref);
    assert.equal(v.name, m.name);
    assert.equal(v.powerState, m.powerState);
    assert.equal(v.firmware, m.firmware);
    assert.equal(v.cbt, m.changeTrackingEnabled);
    assert.equal(v.hasSnapshot, m.snapshots.length > 0);
    const disks = v.devices.filter((d: any) => d.type === "VirtualDisk");
    assert.deepEqual(
      disks.map((d: any) => d.key),
      m.disks.map((d: any) => d.key),
    );
    for (const d of disks) {
      const md = m.disks.find((x: any) => x.key === d.key);
      assert.equal(d.capacityInBytes, md.capacityBytes);
      assert.equal(d.backing.fileName, md.fileName);
      assert.equal(d.backing.diskMode, md.diskMode);
      // the controller lists the disk, as vSphere's device graph does
      const ctrl = v.devices.find((c: any) => c.key === d.controllerKey);
      assert.ok(ctrl?.device.includes(d.key), `controller ${d.controllerKey} lists disk ${d.key}`);
    }
  }
  const web = p.vms.find((v: any) => v.name === "web01");
  const types = web.devices.map((d: any) => d.type);
  assert.ok(types.includes("ParaVirtualSCSIController") && types.includes("VirtualCdrom"));
  const nics = web.devices.filter((d: any) => d.macAddress);
  assert.equal(nics.length, 2);
  assert.ok(
    nics.some((n: any) => n.backing.type === "DistributedVirtualPortBackingInfo" && n.backing.portgroupKey.startsWith("dvportgroup-")),
  );
  assert.ok(nics.some((n: any) => n.backing.type === "NetworkBackingInfo" && n.backing.network.startsWith("network-")));
  const legacy = p.vms.find((v: any) => v.name === "legacy01");
  assert.ok(legacy.devices.some((d: any) => d.type === "VirtualDisk" && d.backing.diskMode === "independent_persistent"));
  // a delta disk reports its parent chain
  const delta = legacy.devices.find((d: any) => d.type === "VirtualDisk" && d.backing.parent);
  assert.ok(delta, "legacy01's snapshotted disk has a parent backing");
  assert.match(delta.backing.parent.fileName, /legacy01\.vmdk$/);
});

test("attribute walks reach datacenter, hosts, datastores, networks; VM details include secure boot and layoutEx", async () => {
  const [walk, win, legacy, hosts] = await labOps(lab, [
    { op: "folder_walk" },
    { op: "vm_info", vm: vmByName("win01").moref },
    { op: "vm_info", vm: vmByName("legacy01").moref },
    { op: "collect", type: "HostSystem", paths: ["name", "summary.config.product.version", "runtime.connectionState"] },
  ]);
  const dc = ok(walk)[0];
  assert.equal(dc.dc, inventory.datacenter);
  assert.ok(dc.datastores.length >= 1 && dc.datastores.every((d: any) => d.capacity > 0 && d.free <= d.capacity));
  assert.ok(dc.networks.some((n: any) => n.type === "DistributedVirtualPortgroup" && n.key));
  const w = ok(win);
  assert.equal(w.firmware, "efi");
  assert.equal(w.secureBoot, true);
  assert.ok(w.devices.some((d: any) => d.type === "VirtualNVMEController" || d.type === "VirtualAHCIController"));
  assert.ok(w.devices.some((d: any) => d.type === "VirtualE1000e"));
  assert.equal(w.numVirtualDisks, vmByName("win01").disks.length);
  const provisioned = vmByName("win01").disks.reduce((a: number, d: any) => a + d.capacityBytes, 0);
  assert.ok(w.storage.committed > 0 && w.storage.committed + w.storage.uncommitted === provisioned, JSON.stringify(w.storage));
  const l = ok(legacy);
  assert.equal(l.snapshot.tree[0].name, vmByName("legacy01").snapshots[0].name);
  assert.equal(l.snapshot.current, vmByName("legacy01").currentSnapshot);
  assert.ok(l.layoutFiles.some((f: any) => f.type === "diskExtent"));
  assert.ok(l.layoutDisks.every((d: any) => d.chain.length >= 1));
  const h = ok(hosts);
  assert.ok(h.objects.length >= 1 && h.objects[0].props["runtime.connectionState"] === "connected");
});

test("all=true on every object the lab shows encodes and parses in pyVmomi", async () => {
  const [r] = await labOps(lab, [{ op: "all_props" }]);
  const all = ok(r) as Record<string, { type: string; props: string[] }>;
  const types = new Set(Object.values(all).map((o) => o.type));
  for (const t of [
    "Datacenter",
    "Folder",
    "VirtualMachine",
    "ClusterComputeResource",
    "HostSystem",
    "ResourcePool",
    "Datastore",
    "Network",
    "DistributedVirtualPortgroup",
    "VmwareDistributedVirtualSwitch",
    "ContainerView",
    "SessionManager",
    "Snapshot",
    "ServiceInstance",
  ]) {
    assert.ok(types.has(t), `objects of type ${t} are shown (got ${[...types].join(", ")})`);
  }
  const vm = all[vmByName("web01").moref]!;
  for (const p of ["config", "runtime", "guest", "summary", "layoutEx", "datastore", "network", "parent", "resourcePool", "name"])
    assert.ok(vm.props.includes(p), p);
});

test("the classic full-inventory TraversalSpec set reaches every entity exactly once", async () => {
  const [r] = await labOps(lab, [{ op: "full_traversal" }]);
  const t = ok(r);
  assert.equal(t.unique, true);
  assert.equal(t.counts.VirtualMachine, inventory.vms.length);
  assert.equal(t.counts.Datacenter, 1);
  assert.ok(t.counts.HostSystem >= 1 && t.counts.Datastore >= 1 && t.counts.ClusterComputeResource === 1 && t.counts.ResourcePool === 1);
  assert.ok(t.counts.DistributedVirtualPortgroup >= 1 && t.counts.Network >= 1);
});

test("SearchIndex: FindByInventoryPath, FindByUuid (bios and instance uuid), FindChild", async () => {
  const [vmInfo] = await labOps(lab, [{ op: "vm_info", vm: vmByName("web01").moref }]);
  const web = ok(vmInfo);
  const [inv] = await labOps(lab, [{ op: "inventory" }]);
  const parentFolder = ok(inv).vms.find((v: any) => v.name === "web01").parent;
  const [byUuid, byInstance, missing, child, none] = await labOps(lab, [
    { op: "find_uuid", uuid: web.uuid },
    { op: "find_uuid", uuid: web.instanceUuid, instance: true },
    { op: "find_path", path: `${inventory.datacenter}/vm/no-such-vm` },
    { op: "find_child", name: "web01" },
    { op: "find_uuid", uuid: "00000000-0000-0000-0000-000000000000" },
  ]);
  assert.equal(ok(byUuid), vmByName("web01").moref);
  assert.equal(ok(byInstance), vmByName("web01").moref);
  assert.equal(ok(missing), null);
  assert.equal(ok(none), null);
  // web01 sits in a sub-folder in the default scenario, or directly in vm/: FindChild on vm/ finds it only then
  const c = ok(child);
  assert.ok(c === null || c === vmByName("web01").moref);
  // the full path through its folder resolves
  const [folderName] = await labOps(lab, [{ op: "collect", type: "Folder", paths: ["name"] }]);
  const names = new Map(ok(folderName).objects.map((o: any) => [o.moref, o.props.name]));
  const path = `${inventory.datacenter}/vm/${names.get(parentFolder) === "vm" ? "" : names.get(parentFolder) + "/"}web01`;
  const [found] = await labOps(lab, [{ op: "find_path", path }]);
  assert.deepEqual(ok(found), { moref: vmByName("web01").moref, type: "VirtualMachine" });
});

test("tasks: ReconfigVM (CBT), CreateSnapshot with frozen changeIds, snapshot tree, RemoveSnapshot with consolidation", async () => {
  const vm = vmByName("web01").moref;
  const [cbt, snap] = await labOps(lab, [
    { op: "reconfig", vm, cbt: true },
    { op: "snapshot_create", vm, name: "soap-test", description: "x" },
  ]);
  assert.equal(ok(cbt).state, "success");
  const s = ok(snap);
  assert.equal(s.state, "success");
  assert.match(s.result, /^snapshot-\d+$/);
  const [info, cfg] = await labOps(lab, [
    { op: "vm_info", vm },
    { op: "snapshot_config", snapshot: s.result },
  ]);
  assert.equal(ok(info).cbt, true);
  assert.equal(ok(info).snapshot.current, s.result);
  assert.equal(ok(info).extraConfig["ctkEnabled"], "TRUE");
  for (const d of ok(cfg).disks)
    assert.match(d.changeId, /^[0-9a-f ]+(-[0-9a-f ]+)?\/\d+$/i, "a snapshot's disks carry changeIds once CBT is active");
  // the running VM's disks now write into deltas whose parent is the frozen base
  const liveDisk = ok(info).devices.find((d: any) => d.type === "VirtualDisk");
  assert.equal(liveDisk.backing.parent.fileName, ok(cfg).disks.find((d: any) => d.key === liveDisk.key).fileName);
  const [rm, after] = await labOps(lab, [
    { op: "snapshot_remove", snapshot: s.result },
    { op: "vm_info", vm },
  ]);
  assert.equal(ok(rm).state, "success");
  assert.equal(ok(after).snapshot, null);
  assert.equal(ok(after).consolidationNeeded, false);
  const [cbtOff] = await labOps(lab, [{ op: "reconfig", vm, cbt: false }]);
  assert.equal(ok(cbtOff).state, "success");
});

test("RemoveSnapshot without consolidation leaves consolidationNeeded; ConsolidateVMDisks_Task clears it", async () => {
  const vm = vmByName("win01").moref;
  const [snap] = await labOps(lab, [{ op: "snapshot_create", vm, name: "no-consolidate" }]);
  const [rm, before, cons, after] = await labOps(lab, [
    { op: "snapshot_remove", snapshot: ok(snap).result, consolidate: false },
    { op: "vm_info", vm },
    { op: "consolidate", vm },
    { op: "vm_info", vm },
  ]);
  assert.equal(ok(rm).state, "success");
  assert.equal(ok(before).consolidationNeeded, true);
  assert.equal(ok(before).snapshot, null);
  assert.equal(ok(cons).state, "success");
  assert.equal(ok(after).consolidationNeeded, false);
  const disk = ok(after).devices.find((d: any) => d.type === "VirtualDisk");
  assert.equal(disk.backing.parent, undefined, "after consolidation the disk is a single base file again");
});

test("faults: InvalidLogin, NotAuthenticated, ManagedObjectNotFound, InvalidPowerState, InvalidArgument, InvalidState, FileFault, ToolsUnavailable, SnapshotFault", async () => {
  const web = vmByName("web01").moref;
  const legacy = vmByName("legacy01");
  const boot = vmByName("boot01");
  const r = await labOps(lab, [
    { op: "bad_login" },
    { op: "attr", type: "VirtualMachine", moref: "vm-999999", prop: "name" },
    { op: "power", vm: web, action: "on" },
    { op: "reconfig", vm: web, numCPUs: 0 },
    { op: "reconfig", vm: legacy.moref, growDisk: { key: legacy.disks[0].key, bytes: legacy.disks[0].capacityBytes * 2 } },
    { op: "snapshot_create", vm: vmByName("win01").moref, name: "no-cbt" },
    { op: "power", vm: boot.moref, action: "shutdown" },
    { op: "snapshot_create", vm: boot.moref, name: "quiesced", quiesce: true },
    { op: "logout" },
    { op: "whoami" },
    { op: "attr", type: "VirtualMachine", moref: web, prop: "name" },
  ]);
  assert.equal(r[0].fault, "InvalidLogin");
  assert.equal(r[1].fault, "ManagedObjectNotFound");
  assert.equal(ok(r[2]).fault, "InvalidPowerState");
  assert.equal(ok(r[3]).fault, "InvalidArgument");
  assert.equal(ok(r[4]).fault, "InvalidState");
  const snap = ok(r[5]).result;
  assert.equal(r[6].fault, "ToolsUnavailable");
  assert.equal(ok(r[7]).fault, "SnapshotFault", "a quiesced snapshot needs running tools");
  assert.equal(ok(r[9]), null, "currentSession is unset once logged out, as on vCenter");
  assert.equal(r[10].fault, "NotAuthenticated");
  const win = vmByName("win01");
  const [qcda, badId, rm] = await labOps(lab, [
    { op: "qcda_once", vm: win.moref, snapshot: snap, diskKey: win.disks[0].key, changeId: "*" },
    { op: "qcda_once", vm: win.moref, snapshot: snap, diskKey: 99999, changeId: "*" },
    { op: "snapshot_remove", snapshot: snap },
  ]);
  assert.equal(qcda.fault, "FileFault", "QCDA without active CBT is a FileFault");
  assert.equal(badId.fault, "InvalidArgument");
  assert.equal(ok(rm).state, "success");
});

test("injected faults: task failure, session expiry (re-login works), slow replies", async () => {
  const vm = vmByName("win01").moref;
  await labControl(lab, "POST", "fault", { kind: "task-failure", task: "CreateSnapshot", message: "injected snapshot failure" });
  const [failed] = await labOps(lab, [{ op: "snapshot_create", vm, name: "will-fail" }]);
  assert.equal(ok(failed).state, "error");
  assert.equal(ok(failed).fault, "SnapshotFault");
  assert.match(ok(failed).msg, /injected snapshot failure/);

  const results = await Promise.all([
    labOps(lab, [
      { op: "whoami" },
      { op: "sleep", seconds: 1.5 },
      { op: "attr", type: "VirtualMachine", moref: vmByName("web01").moref, prop: "name" },
      { op: "relogin" },
      { op: "whoami" },
    ]),
    (async () => {
      await new Promise((r) => setTimeout(r, 1000));
      await labControl(lab, "POST", "fault", { kind: "session-expiry" });
    })(),
  ]);
  const [w1, , w2, , w3] = results[0];
  assert.equal(ok(w1), lab.username);
  assert.equal(w2.fault, "NotAuthenticated");
  assert.equal(ok(w3), lab.username);

  await labControl(lab, "POST", "fault", { kind: "slow", ms: 400 });
  try {
    const [slow] = await labOps(lab, [{ op: "whoami" }]);
    assert.ok(slow.ms >= 400, `slow reply took ${slow.ms} ms`);
  } finally {
    await labControl(lab, "POST", "fault", { kind: "slow", ms: 0 });
  }
});

test("power: off, on, and ShutdownGuest powers the guest off shortly after", async () => {
  const vm = vmByName("win01").moref;
  const r = await labOps(lab, [
    { op: "power", vm, action: "off" },
    { op: "power", vm, action: "off" },
    { op: "power", vm, action: "on" },
    { op: "power", vm, action: "shutdown", timeout: 20 },
    { op: "power", vm, action: "on" },
  ]);
  assert.equal(ok(r[0]).state, "success");
  assert.equal(ok(r[1]).fault, "InvalidPowerState");
  assert.equal(ok(r[2]).state, "success");
  assert.equal(ok(r[3]).state, "poweredOff");
  assert.equal(ok(r[4]).state, "success");
});

test("WaitForUpdatesEx reports a filter's objects once, then times out with no update; CheckForUpdates returns none", async () => {
  const [r] = await labOps(lab, [{ op: "wait_updates", vm: vmByName("web01").moref, maxWait: 1 }]);
  const w = ok(r);
  assert.deepEqual(w.first, [["enter", vmByName("web01").moref, [["runtime.powerState", "assign", "poweredOn"]]]]);
  assert.equal(w.second, null);
  assert.ok(w.waited >= 0.9, `waited ${w.waited} s`);
  assert.equal(w.check, null);
});

test("RetrieveProperties, CancelRetrievePropertiesEx, view and filter lists, CurrentTime, SessionIsActive, legacy WaitForUpdates", async () => {
  const vm = vmByName("win01").moref;
  const [r] = await labOps(lab, [{ op: "misc", vm }]);
  const m = ok(r);
  assert.equal(m.legacyCount, inventory.vms.length);
  assert.equal(m.cancelled, true, "a cancelled token cannot continue");
  assert.equal(m.viewListed, true);
  assert.equal(m.viewGone, true);
  assert.equal(m.active, true);
  assert.equal(m.filterListed, true);
  assert.deepEqual(m.change, [["config.changeTrackingEnabled", true]], "the reconfigure shows as one modify");
  assert.ok(m.callCount > 5);
  assert.ok(Math.abs(Date.parse(m.time.replace(" ", "T")) - Date.now()) < 60_000);
  const [off] = await labOps(lab, [{ op: "reconfig", vm, cbt: false }]);
  assert.equal(ok(off).state, "success");
});

test("ReconfigVM grows a disk (deviceChange edit) and the new capacity shows in config", async () => {
  const boot = vmByName("boot01");
  const d = boot.disks[0];
  const bigger = d.capacityBytes + 64 * 1024 * 1024;
  const [grow, info, shrink] = await labOps(lab, [
    { op: "reconfig", vm: boot.moref, growDisk: { key: d.key, bytes: bigger } },
    { op: "vm_info", vm: boot.moref },
    { op: "reconfig", vm: boot.moref, growDisk: { key: d.key, bytes: d.capacityBytes } },
  ]);
  assert.equal(ok(grow).state, "success");
  assert.equal(ok(info).devices.find((x: any) => x.key === d.key).capacityInBytes, bigger);
  assert.equal(ok(shrink).fault, "InvalidArgument", "disks never shrink");
});
