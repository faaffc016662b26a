# ablestack-v2k vSphere bridge, read side: one explicit PropertyCollector query per question,
# inventory classification (controllers, disks, NICs, snapshots) and the VM picker's list.
from pyVmomi import vim, vmodl


class BridgeError(Exception):
    def __init__(self, kind, message, fault=""):
        Exception.__init__(self, message)
        self.kind = kind
        self.fault = fault


def moref(obj):
    return obj._moId if obj is not None else None


# ---------------------------------------------------------------- property collector helpers

def collect(content, obj_type, paths, container=None, objs=None):
    """One explicit RetrievePropertiesEx (+ContinueRetrievePropertiesEx pages)."""
    pc = content.propertyCollector
    view = None
    if objs is None:
        view = content.viewManager.CreateContainerView(container or content.rootFolder, [obj_type], True)
        traversal = vmodl.query.PropertyCollector.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
        obj_specs = [vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[traversal])]
    else:
        obj_specs = [vmodl.query.PropertyCollector.ObjectSpec(obj=o, skip=False) for o in objs]
    prop_spec = vmodl.query.PropertyCollector.PropertySpec(type=obj_type, pathSet=paths, all=False)
    spec = vmodl.query.PropertyCollector.FilterSpec(objectSet=obj_specs, propSet=[prop_spec])
    out = []
    try:
        res = pc.RetrievePropertiesEx([spec], vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=500))
        while res is not None:
            for oc in res.objects or []:
                props = {}
                for p in oc.propSet or []:
                    props[p.name] = p.val
                out.append((oc.obj, props))
            if not res.token:
                break
            res = pc.ContinueRetrievePropertiesEx(res.token)
    finally:
        if view is not None:
            try:
                view.Destroy()
            except Exception:
                pass
    return out


def find_vm(sess, name=None, ref=None):
    if ref:
        vm = vim.VirtualMachine(ref, sess.si._stub)
        try:
            collect(sess.content, vim.VirtualMachine, ["name"], objs=[vm])
        except vmodl.fault.ManagedObjectNotFound:
            raise BridgeError("vm-not-found", "VM %s not found" % ref, "ManagedObjectNotFound")
        return vm
    matches = [o for o, p in collect(sess.content, vim.VirtualMachine, ["name"]) if p.get("name") == name]
    if not matches:
        raise BridgeError("vm-not-found", "no VM named %r" % name, "NotFound")
    if len(matches) > 1:
        raise BridgeError("vm-ambiguous", "%d VMs are named %r" % (len(matches), name), "Ambiguous")
    return matches[0]


# ---------------------------------------------------------------- inventory

CONTROLLERS = [
    (vim.vm.device.ParaVirtualSCSIController, "pvscsi"),
    (vim.vm.device.VirtualLsiLogicSASController, "lsilogic-sas"),
    (vim.vm.device.VirtualLsiLogicController, "lsilogic"),
    (vim.vm.device.VirtualBusLogicController, "buslogic"),
    (vim.vm.device.VirtualAHCIController, "sata"),
    (vim.vm.device.VirtualNVMEController, "nvme"),
    (vim.vm.device.VirtualIDEController, "ide"),
]
NICS = [
    (vim.vm.device.VirtualVmxnet3, "vmxnet3"),
    (vim.vm.device.VirtualVmxnet2, "vmxnet2"),
    (vim.vm.device.VirtualE1000e, "e1000e"),
    (vim.vm.device.VirtualE1000, "e1000"),
    (vim.vm.device.VirtualPCNet32, "pcnet32"),
    (vim.vm.device.VirtualSriovEthernetCard, "sriov"),
]


# vTPM devices exist from API 6.7 on; older pyvmomi builds lack the type
TPM = getattr(vim.vm.device, "VirtualTPM", None)


def classify(dev, table):
    for cls, name in table:
        if isinstance(dev, cls):
            return name
    return None


def disk_info(d):
    b = d.backing
    info = {
        "key": d.key,
        "label": d.deviceInfo.label if d.deviceInfo else "disk %d" % d.key,
        "controllerKey": d.controllerKey,
        "unitNumber": d.unitNumber if d.unitNumber is not None else 0,
        "capacityBytes": int(d.capacityInBytes or (d.capacityInKB or 0) * 1024),
        "fileName": getattr(b, "fileName", "") or "",
        "datastore": moref(getattr(b, "datastore", None)),
        "thin": bool(getattr(b, "thinProvisioned", False)),
        "diskMode": getattr(b, "diskMode", "") or "",
        "uuid": getattr(b, "uuid", None),
        "changeId": getattr(b, "changeId", None),
        "sharing": getattr(b, "sharing", None) or "sharingNone",
        "rdm": "none",
        "backingType": type(b).__name__,
    }
    if isinstance(b, vim.vm.device.VirtualDisk.RawDiskMappingVer1BackingInfo):
        info["rdm"] = "physical" if b.compatibilityMode == "physicalMode" else "virtual"
    return info


def disks_of(devices):
    return [disk_info(d) for d in devices or [] if isinstance(d, vim.vm.device.VirtualDisk)]


def snapshot_tree(snap_info):
    out = []

    def walk(nodes, parent):
        for n in nodes or []:
            out.append({"moref": moref(n.snapshot), "name": n.name, "createTime": n.createTime.isoformat() if n.createTime else None,
                        "parent": parent, "state": n.state})
            walk(n.childSnapshotList, moref(n.snapshot))
    if snap_info is not None:
        walk(snap_info.rootSnapshotList, None)
    return out


VM_PATHS = [
    "name", "config.uuid", "config.instanceUuid", "config.guestId", "config.guestFullName", "config.firmware",
    "config.bootOptions", "config.hardware.numCPU", "config.hardware.numCoresPerSocket", "config.hardware.memoryMB",
    "config.hardware.device", "config.changeTrackingEnabled", "config.extraConfig", "runtime.powerState",
    "runtime.host", "runtime.consolidationNeeded", "snapshot", "summary.config.vmPathName", "guest.toolsRunningStatus",
    "network", "capability.changeTrackingSupported", "config.version",
]


def op_inventory(sess, args):
    vm = find_vm(sess, args.get("vm"), args.get("moref"))
    rows = collect(sess.content, vim.VirtualMachine, VM_PATHS, objs=[vm])
    p = rows[0][1]
    devices = p.get("config.hardware.device") or []
    nets = {}
    net_refs = p.get("network") or []
    for obj, props in collect(sess.content, vim.Network, ["name"], objs=list(net_refs)) if net_refs else []:
        nets[moref(obj)] = {"name": props.get("name", ""), "kind": "distributed" if isinstance(obj, vim.dvs.DistributedVirtualPortgroup) else "standard"}
    pg_by_key = {}
    dv_refs = [n for n in net_refs if isinstance(n, vim.dvs.DistributedVirtualPortgroup)]
    if dv_refs:
        for obj, props in collect(sess.content, vim.dvs.DistributedVirtualPortgroup, ["key", "name"], objs=dv_refs):
            pg_by_key[props.get("key")] = props.get("name", "")
    controllers, nics = [], []
    for d in devices:
        ct = classify(d, CONTROLLERS)
        if ct:
            controllers.append({"key": d.key, "type": ct, "busNumber": d.busNumber})
            continue
        model = classify(d, NICS)
        if model or isinstance(d, vim.vm.device.VirtualEthernetCard):
            b = d.backing
            network, kind = "", "unknown"
            if isinstance(b, vim.vm.device.VirtualEthernetCard.NetworkBackingInfo):
                network, kind = b.deviceName or (nets.get(moref(b.network), {}).get("name", "")), "standard"
            elif isinstance(b, vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo):
                network, kind = pg_by_key.get(b.port.portgroupKey, b.port.portgroupKey or ""), "distributed"
            elif isinstance(b, vim.vm.device.VirtualEthernetCard.OpaqueNetworkBackingInfo):
                network, kind = b.opaqueNetworkId or "", "opaque"
            nics.append({"key": d.key, "label": d.deviceInfo.label if d.deviceInfo else "nic", "model": model or "unknown",
                         "mac": d.macAddress or "", "network": network, "networkKind": kind})
    extra = {}
    for opt in p.get("config.extraConfig") or []:
        if isinstance(opt.key, str) and opt.key.startswith("guestinfo."):
            extra[opt.key] = str(opt.value)
    boot = p.get("config.bootOptions")
    host_ref = p.get("runtime.host")
    host = None
    if host_ref is not None:
        hp = collect(sess.content, vim.HostSystem, ["name", "summary.config.product"], objs=[host_ref])[0][1]
        prod = hp.get("summary.config.product")
        host = {"moref": moref(host_ref), "name": hp.get("name", ""), "version": prod.version if prod else "", "build": prod.build if prod else ""}
    datastores = {}
    for d in disks_of(devices):
        if d["datastore"]:
            datastores[d["datastore"]] = None
    ds_info = []
    if datastores:
        refs = [vim.Datastore(k, sess.si._stub) for k in datastores]
        for obj, props in collect(sess.content, vim.Datastore, ["name", "summary.type"], objs=refs):
            ds_info.append({"moref": moref(obj), "name": props.get("name", ""), "type": props.get("summary.type", "")})
    return {
        "moref": moref(vm),
        "name": p.get("name"),
        "uuid": p.get("config.uuid") or "",
        "instanceUuid": p.get("config.instanceUuid"),
        "guestId": p.get("config.guestId") or "",
        "guestFullName": p.get("config.guestFullName"),
        "firmware": p.get("config.firmware") or "bios",
        "secureBoot": bool(getattr(boot, "efiSecureBootEnabled", False)) if boot else False,
        "numCPU": p.get("config.hardware.numCPU") or 1,
        "coresPerSocket": p.get("config.hardware.numCoresPerSocket") or 1,
        "memoryMiB": p.get("config.hardware.memoryMB") or 1,
        "powerState": str(p.get("runtime.powerState")),
        "toolsRunning": str(p.get("guest.toolsRunningStatus")) == "guestToolsRunning",
        "changeTrackingEnabled": bool(p.get("config.changeTrackingEnabled")),
        "changeTrackingSupported": p.get("capability.changeTrackingSupported"),
        "hardwareVersion": p.get("config.version"),
        "consolidationNeeded": bool(p.get("runtime.consolidationNeeded")),
        "vmPathName": p.get("summary.config.vmPathName"),
        "host": host,
        "controllers": controllers,
        "disks": disks_of(devices),
        "nics": nics,
        "snapshots": snapshot_tree(p.get("snapshot")),
        "datastores": ds_info,
        "datacenter": datacenter_of(sess, vm),
        "guestinfo": extra,
        "vtpm": any(isinstance(d, TPM) for d in devices) if TPM is not None else False,
    }


def datacenter_of(sess, vm):
    obj = vm
    for _ in range(32):
        rows = collect(sess.content, type(obj), ["parent"], objs=[obj])
        parent = rows[0][1].get("parent") if rows else None
        if parent is None:
            return None
        if isinstance(parent, vim.Datacenter):
            return collect(sess.content, vim.Datacenter, ["name"], objs=[parent])[0][1].get("name")
        obj = parent
    return None


def op_vm_list(sess, args):
    """Every VM with what the page's VM picker shows (one PropertyCollector query for VMs)."""
    names = {moref(o): props.get("name", "") for o, props in collect(sess.content, vim.Network, ["name"])}
    out = []
    paths = ["name", "runtime.powerState", "config.guestFullName", "config.hardware.numCPU",
             "config.hardware.memoryMB", "config.hardware.device", "network"]
    for obj, p in collect(sess.content, vim.VirtualMachine, paths):
        out.append({
            "name": p.get("name", ""), "moref": moref(obj), "powerState": str(p.get("runtime.powerState")),
            "guestFullName": p.get("config.guestFullName") or "", "numCPU": p.get("config.hardware.numCPU") or 1,
            "memoryMiB": p.get("config.hardware.memoryMB") or 1,
            "disks": [{"key": d["key"], "label": d["label"], "capacityBytes": d["capacityBytes"]} for d in disks_of(p.get("config.hardware.device"))],
            "networks": sorted({names.get(moref(n), "") for n in (p.get("network") or [])} - {""}),
        })
    out.sort(key=lambda v: v["name"])
    return {"vms": out}
