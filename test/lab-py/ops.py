# Runs a list of vSphere operations against the lab with pyVmomi, the way a migration tool calls them.
# Input (stdin JSON): lab.json fields plus {"ops": [{"op": NAME, ...args}], "mode": "unverified"}.
# Output: one JSON line {"results": [...]}; a vSphere fault becomes {"fault": TypeName, "msg": ...}.
import sys
import time

from labclient import connect, collect, done, fault_name, read_input
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

inp = read_input()
state = {"si": None}


def si():
    if state["si"] is None:
        state["si"] = connect(inp, inp.get("mode", "unverified"))
    return state["si"]


def content():
    return si().RetrieveContent()


def vm_ref(moref):
    return vim.VirtualMachine(moref, si()._stub)


def snap_ref(moref):
    return vim.vm.Snapshot(moref, si()._stub)


def backing_info(b):
    if b is None:
        return None
    out = {"type": type(b).__name__.split(".")[-1]}
    for k in ("fileName", "diskMode", "thinProvisioned", "uuid", "changeId", "sharing", "compatibilityMode", "deviceName"):
        if hasattr(b, k):
            out[k] = getattr(b, k)
    if getattr(b, "datastore", None) is not None:
        out["datastore"] = b.datastore._moId
    if getattr(b, "network", None) is not None:
        out["network"] = b.network._moId
    if getattr(b, "port", None) is not None:
        out["portgroupKey"] = b.port.portgroupKey
        out["switchUuid"] = b.port.switchUuid
    parent = getattr(b, "parent", None)
    if parent is not None:
        out["parent"] = backing_info(parent)
    return out


def devices(devs):
    out = []
    for d in devs:
        e = {"type": type(d).__name__.split(".")[-1], "key": d.key, "label": d.deviceInfo.label if d.deviceInfo else None,
             "controllerKey": d.controllerKey, "unitNumber": d.unitNumber, "backing": backing_info(d.backing)}
        if isinstance(d, vim.vm.device.VirtualDisk):
            e["capacityInBytes"] = d.capacityInBytes
        if isinstance(d, vim.vm.device.VirtualEthernetCard):
            e["macAddress"] = d.macAddress
        if isinstance(d, vim.vm.device.VirtualController):
            e["busNumber"] = d.busNumber
            e["device"] = list(d.device)
        out.append(e)
    return out


def snapshot_tree(nodes):
    return [{"snapshot": n.snapshot._moId, "name": n.name, "description": n.description, "id": n.id, "state": n.state,
             "quiesced": n.quiesced, "children": snapshot_tree(n.childSnapshotList)} for n in nodes]


def wait(task):
    try:
        WaitForTask(task)
    except vmodl.MethodFault as e:
        return {"state": "error", "fault": fault_name(e), "msg": e.msg}
    info = task.info
    res = info.result
    return {"state": info.state, "task": task._moId, "result": res._moId if hasattr(res, "_moId") else res}


def op_connect(a):
    s = connect(inp, a.get("mode", "unverified"))
    c = s.RetrieveContent()
    r = {"fullName": c.about.fullName, "apiVersion": c.about.apiVersion, "versionId": s._stub.versionId,
         "session": c.sessionManager.currentSession.userName}
    s.content.sessionManager.Logout()
    return r


def op_inventory(a):
    rows, pages = collect(si(), vim.VirtualMachine, ["name", "runtime.powerState", "config.changeTrackingEnabled",
                                                    "config.hardware.device", "snapshot", "guest.toolsRunningStatus",
                                                    "config.firmware", "parent", "datastore", "network"], a.get("maxObjects"))
    return {"pages": pages, "vms": [{"moref": o._moId, "name": p["name"], "powerState": p["runtime.powerState"],
                                     "cbt": p.get("config.changeTrackingEnabled"), "firmware": p.get("config.firmware"),
                                     "tools": p.get("guest.toolsRunningStatus"), "parent": p["parent"]._moId,
                                     "datastores": [d._moId for d in p.get("datastore", [])],
                                     "networks": [n._moId for n in p.get("network", [])],
                                     "hasSnapshot": p.get("snapshot") is not None,
                                     "devices": devices(p["config.hardware.device"])} for o, p in rows]}


def op_collect(a):
    types = {"HostSystem": vim.HostSystem, "Datastore": vim.Datastore, "Network": vim.Network,
             "Folder": vim.Folder, "VirtualMachine": vim.VirtualMachine, "ManagedEntity": vim.ManagedEntity,
             "DistributedVirtualPortgroup": vim.dvs.DistributedVirtualPortgroup}
    rows, pages = collect(si(), types[a["type"]], a["paths"], a.get("maxObjects"))
    return {"pages": pages, "objects": [{"moref": o._moId, "type": type(o).__name__.split(".")[-1],
                                         "props": {k: (v._moId if hasattr(v, "_moId") else v) for k, v in p.items()}} for o, p in rows]}


def op_folder_walk(a):
    # Attribute walks down the tree (each access is one RetrievePropertiesEx).
    c = content()
    out = []
    for dc in c.rootFolder.childEntity:
        out.append({"dc": dc.name, "vmFolder": dc.vmFolder.name, "hosts": [h.name for cr in dc.hostFolder.childEntity for h in cr.host],
                    "datastores": [{"name": d.summary.name, "capacity": d.summary.capacity, "free": d.summary.freeSpace, "type": d.summary.type,
                                    "url": d.summary.url} for d in dc.datastore],
                    "networks": [{"name": n.name, "type": type(n).__name__.split(".")[-1],
                                  "key": getattr(n, "key", None)} for n in dc.network],
                    "hostVersion": dc.hostFolder.childEntity[0].host[0].summary.config.product.version})
    return out


def op_vm_info(a):
    vm = vm_ref(a["vm"])
    cfg = vm.config
    snap = vm.snapshot
    lx = vm.layoutEx
    return {"name": vm.name, "firmware": cfg.firmware, "secureBoot": cfg.bootOptions.efiSecureBootEnabled, "guestId": cfg.guestId,
            "uuid": cfg.uuid, "instanceUuid": cfg.instanceUuid, "numCPU": cfg.hardware.numCPU, "memoryMB": cfg.hardware.memoryMB,
            "cbt": cfg.changeTrackingEnabled, "extraConfig": {o.key: o.value for o in cfg.extraConfig},
            "devices": devices(cfg.hardware.device), "powerState": vm.runtime.powerState, "host": vm.runtime.host.name,
            "consolidationNeeded": vm.runtime.consolidationNeeded, "tools": vm.guest.toolsRunningStatus,
            "numVirtualDisks": vm.summary.config.numVirtualDisks,
            "storage": {"committed": vm.summary.storage.committed, "uncommitted": vm.summary.storage.uncommitted},
            "snapshot": None if snap is None else {"current": snap.currentSnapshot._moId if snap.currentSnapshot else None,
                                                   "tree": snapshot_tree(snap.rootSnapshotList)},
            "layoutFiles": [{"name": f.name, "type": f.type, "size": f.size} for f in lx.file] if lx else [],
            "layoutDisks": [{"key": d.key, "chain": [list(u.fileKey) for u in d.chain]} for d in lx.disk] if lx else []}


def op_snapshot_config(a):
    cfg = snap_ref(a["snapshot"]).config
    return {"disks": [{"key": d.key, "fileName": d.backing.fileName, "changeId": d.backing.changeId}
                      for d in cfg.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]}


def op_find_path(a):
    r = content().searchIndex.FindByInventoryPath(a["path"])
    return None if r is None else {"moref": r._moId, "type": type(r).__name__.split(".")[-1]}


def op_find_uuid(a):
    r = content().searchIndex.FindByUuid(None, a["uuid"], True, a.get("instance", False))
    return None if r is None else r._moId


def op_find_child(a):
    c = content()
    dc = c.rootFolder.childEntity[0]
    r = c.searchIndex.FindChild(dc.vmFolder, a["name"])
    return None if r is None else r._moId


def op_reconfig(a):
    spec = vim.vm.ConfigSpec()
    if "cbt" in a:
        spec.changeTrackingEnabled = a["cbt"]
    if "numCPUs" in a:
        spec.numCPUs = a["numCPUs"]
    if "growDisk" in a:
        vm = vm_ref(a["vm"])
        disk = [d for d in vm.config.hardware.device if d.key == a["growDisk"]["key"]][0]
        disk.capacityInBytes = a["growDisk"]["bytes"]
        disk.capacityInKB = a["growDisk"]["bytes"] // 1024
        spec.deviceChange = [vim.vm.device.VirtualDeviceSpec(operation="edit", device=disk)]
    return wait(vm_ref(a["vm"]).ReconfigVM_Task(spec))


def op_snapshot_create(a):
    return wait(vm_ref(a["vm"]).CreateSnapshot_Task(a.get("name", "v2k-test"), a.get("description", ""), a.get("memory", False), a.get("quiesce", False)))


def op_snapshot_create_ids(a):
    """CreateSnapshot_Task, then the changeId of every disk frozen in the new snapshot."""
    r = op_snapshot_create(a)
    if r.get("state") != "success":
        return r
    r["disks"] = op_snapshot_config({"snapshot": r["result"]})["disks"]
    return r


def op_snapshot_remove(a):
    return wait(snap_ref(a["snapshot"]).RemoveSnapshot_Task(False, a.get("consolidate", True)))


def op_consolidate(a):
    return wait(vm_ref(a["vm"]).ConsolidateVMDisks_Task())


def op_power(a):
    vm = vm_ref(a["vm"])
    if a["action"] == "on":
        return wait(vm.PowerOnVM_Task())
    if a["action"] == "off":
        return wait(vm.PowerOffVM_Task())
    vm.ShutdownGuest()
    deadline = time.time() + a.get("timeout", 20)
    while time.time() < deadline:
        if vm.runtime.powerState == "poweredOff":
            return {"state": "poweredOff"}
        time.sleep(0.2)
    return {"state": vm.runtime.powerState}


def op_qcda(a):
    """All pages of QueryChangedDiskAreas until the disk's capacity is covered."""
    vm = vm_ref(a["vm"])
    snap = snap_ref(a["snapshot"]) if a.get("snapshot") else None
    capacity = a["capacity"]
    offset, pages, areas = 0, 0, []
    while offset < capacity:
        r = vm.QueryChangedDiskAreas(snap, a["diskKey"], offset, a["changeId"])
        pages += 1
        if r.startOffset != offset or r.length <= 0:
            raise Exception("bad page %d+%d at %d" % (r.startOffset, r.length, offset))
        for x in r.changedArea:
            areas.append([x.start, x.length])
        offset = r.startOffset + r.length
    return {"pages": pages, "areas": areas, "covered": offset}


def op_qcda_once(a):
    vm = vm_ref(a["vm"])
    snap = snap_ref(a["snapshot"]) if a.get("snapshot") else None
    r = vm.QueryChangedDiskAreas(snap, a["diskKey"], a.get("startOffset", 0), a["changeId"])
    return {"startOffset": r.startOffset, "length": r.length, "areas": len(r.changedArea)}


def op_attr(a):
    # Read one property of an arbitrary object by moref (for ManagedObjectNotFound and friends).
    cls = {"VirtualMachine": vim.VirtualMachine, "VirtualMachineSnapshot": vim.vm.Snapshot, "Datastore": vim.Datastore}[a["type"]]
    obj = cls(a["moref"], si()._stub)
    v = getattr(obj, a["prop"])
    return v._moId if hasattr(v, "_moId") else str(v)


def op_wait_updates(a):
    """A filter on a VM's power state: the first WaitForUpdatesEx reports it, the next times out (None)."""
    c = content()
    pc = c.propertyCollector
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=vm_ref(a["vm"]))],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])])
    f = pc.CreateFilter(spec, True)
    try:
        opts = vmodl.query.PropertyCollector.WaitOptions(maxWaitSeconds=a.get("maxWait", 1))
        first = pc.WaitForUpdatesEx("", opts)
        t0 = time.time()
        second = pc.WaitForUpdatesEx(first.version, opts)
        waited = time.time() - t0
        check = pc.CheckForUpdates(first.version)
        return {"firstVersion": first.version,
                "first": [[o.kind, o.obj._moId, [[c.name, c.op, str(c.val)] for c in o.changeSet]] for fs in first.filterSet for o in fs.objectSet],
                "second": None if second is None else second.version, "waited": waited, "check": None if check is None else check.version}
    finally:
        f.Destroy()


def op_misc(a):
    """Less common calls: RetrieveProperties (legacy), CancelRetrievePropertiesEx, view lists, filters,
    CurrentTime, SessionIsActive, legacy WaitForUpdates after a completed task."""
    c = content()
    pc = c.propertyCollector
    view = c.viewManager.CreateContainerView(c.rootFolder, [vim.VirtualMachine], True)
    ts = vmodl.query.PropertyCollector.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)
    spec = vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[ts])],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])])
    legacy = pc.RetrieveProperties([spec])
    first = pc.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=1))
    pc.CancelRetrievePropertiesEx(first.token)
    try:
        pc.ContinueRetrievePropertiesEx(first.token)
        cancelled = False
    except vmodl.fault.InvalidArgument:
        cancelled = True
    views_before = [v._moId for v in c.viewManager.viewList]
    view.Destroy()
    views_after = [v._moId for v in c.viewManager.viewList]
    sess = c.sessionManager.currentSession
    f = pc.CreateFilter(vmodl.query.PropertyCollector.FilterSpec(
        objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=vm_ref(a["vm"]))],
        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=vim.VirtualMachine, pathSet=["config.changeTrackingEnabled"])]), False)
    filters = [x._moId for x in pc.filter]
    u1 = pc.WaitForUpdates(None)
    WaitForTask(vm_ref(a["vm"]).ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=True)))
    u2 = pc.WaitForUpdates(u1.version)
    change = [[ch.name, ch.val] for fs in u2.filterSet for o in fs.objectSet for ch in o.changeSet]
    f.Destroy()
    return {"legacyCount": len(legacy), "cancelled": cancelled, "viewListed": view._moId in views_before,
            "viewGone": view._moId not in views_after, "time": str(si().CurrentTime()),
            "active": c.sessionManager.SessionIsActive(sess.key, sess.userName), "filterListed": f._moId in filters,
            "change": change, "callCount": sess.callCount}


def op_all_props(a):
    """Every object the lab shows, with all=True: each must encode and parse (pyVmomi is strict)."""
    c = content()
    pc = c.propertyCollector
    view = c.viewManager.CreateContainerView(c.rootFolder, [], True)
    objs = list(view.view) + [c.rootFolder, view, c.sessionManager, pc, c.viewManager, vim.ServiceInstance("ServiceInstance", si()._stub)]
    for o in list(view.view):
        if isinstance(o, vim.VirtualMachine):
            objs += list(o.rootSnapshot)
    out = {}
    for o in objs:
        spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=o)],
                                                        propSet=[vmodl.query.PropertyCollector.PropertySpec(type=type(o), all=True)])
        r = pc.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions())
        out[o._moId] = {"type": type(o).__name__.split(".")[-1], "props": sorted(p.name for p in r.objects[0].propSet)}
    view.Destroy()
    return out


def op_full_traversal(a):
    """The classic full-inventory traversal (folders, datacenters, compute resources, resource pools,
    hosts) many pyVmomi scripts send: every entity exactly once."""
    PC = vmodl.query.PropertyCollector
    sel = lambda n: PC.SelectionSpec(name=n)
    specs = [
        PC.TraversalSpec(name="rpToRp", type=vim.ResourcePool, path="resourcePool", skip=False, selectSet=[sel("rpToRp"), sel("rpToVm")]),
        PC.TraversalSpec(name="rpToVm", type=vim.ResourcePool, path="vm", skip=False),
        PC.TraversalSpec(name="crToRp", type=vim.ComputeResource, path="resourcePool", skip=False, selectSet=[sel("rpToRp"), sel("rpToVm")]),
        PC.TraversalSpec(name="crToH", type=vim.ComputeResource, path="host", skip=False),
        PC.TraversalSpec(name="dcToHf", type=vim.Datacenter, path="hostFolder", skip=False, selectSet=[sel("visitFolders")]),
        PC.TraversalSpec(name="dcToVmf", type=vim.Datacenter, path="vmFolder", skip=False, selectSet=[sel("visitFolders")]),
        PC.TraversalSpec(name="dcToDs", type=vim.Datacenter, path="datastore", skip=False, selectSet=[sel("visitFolders")]),
        PC.TraversalSpec(name="dcToNet", type=vim.Datacenter, path="networkFolder", skip=False, selectSet=[sel("visitFolders")]),
        PC.TraversalSpec(name="HToVm", type=vim.HostSystem, path="vm", skip=False, selectSet=[sel("visitFolders")]),
    ]
    visit = PC.TraversalSpec(name="visitFolders", type=vim.Folder, path="childEntity", skip=False,
                             selectSet=[sel(n) for n in ("visitFolders", "dcToHf", "dcToVmf", "dcToDs", "dcToNet", "crToH", "crToRp", "HToVm", "rpToVm")])
    c = content()
    spec = PC.FilterSpec(objectSet=[PC.ObjectSpec(obj=c.rootFolder, skip=False, selectSet=[visit] + specs)],
                         propSet=[PC.PropertySpec(type=vim.ManagedEntity, pathSet=["name"])])
    res = c.propertyCollector.RetrieveContents([spec])
    seen = [(type(o.obj).__name__.split(".")[-1], o.obj._moId) for o in res]
    counts = {}
    for t, _ in seen:
        counts[t] = counts.get(t, 0) + 1
    return {"counts": counts, "unique": len(set(seen)) == len(seen)}


def op_logout(a):
    si().content.sessionManager.Logout()
    return True


def op_relogin(a):
    state["si"] = None
    si()
    return True


def op_bad_login(a):
    connect(inp, "unverified", password="wrong-" + inp["password"])
    return True


def op_cookie(a):
    return si()._stub.cookie


def op_whoami(a):
    # vCenter leaves currentSession unset (no fault) when the session is gone
    s = content().sessionManager.currentSession
    return s.userName if s is not None else None


def op_sleep(a):
    time.sleep(a["seconds"])
    return True


ops = {k[3:]: v for k, v in globals().items() if k.startswith("op_")}
results = []
for a in inp.get("ops", []):
    t0 = time.time()
    try:
        r = {"ok": ops[a["op"]](a)}
    except vmodl.MethodFault as e:
        r = {"fault": fault_name(e), "msg": e.msg}
    except Exception as e:  # an ssl or protocol failure is a result too (e.g. a wrong thumbprint)
        r = {"error": type(e).__name__, "msg": str(e)}
    r["ms"] = int((time.time() - t0) * 1000)
    results.append(r)
done({"results": results})
