#!/usr/bin/python3
# ablestack-v2k vSphere bridge: one long-lived process per helper command.
# Protocol: JSON lines on stdin/stdout. The first request is {"op":"connect", "args":{...credentials}};
# then {"id":N, "op":NAME, "args":{...}} -> {"id":N, "ok":true, "result":...} or
# {"id":N, "ok":false, "error":{"kind":..., "fault":..., "message":...}}.
# Credentials arrive on stdin only. Every vSphere fault is reported by its type name; the TypeScript
# side maps names to ablestack-v2k error codes.
import json
import re
import socket
import ssl
import sys
import time

try:
    from pyVim.connect import SmartConnect, Disconnect
    from pyVmomi import vim, vmodl
    import pyVmomi
except Exception as e:  # reported to the caller as PYVMOMI_MISSING
    sys.stdout.write(json.dumps({"id": 0, "ok": False, "error": {"kind": "pyvmomi-missing", "fault": "ImportError", "message": str(e)}}) + "\n")
    sys.stdout.flush()
    sys.exit(3)

TASK_POLL = 0.2


class BridgeError(Exception):
    def __init__(self, kind, message, fault=""):
        Exception.__init__(self, message)
        self.kind = kind
        self.fault = fault


class Session(object):
    def __init__(self, args):
        self.args = args
        self.si = None
        self.content = None

    def connect(self):
        a = self.args
        ctx = ssl._create_unverified_context()  # trust comes from the pinned thumbprint below
        kwargs = dict(host=a["host"], port=int(a["port"]), user=a["username"], pwd=a["password"], sslContext=ctx)
        if a.get("thumbprint"):
            kwargs["thumbprint"] = a["thumbprint"]
        elif not a.get("insecure"):
            raise BridgeError("tls-untrusted", "no thumbprint pinned and --insecure not given")
        try:
            self.si = SmartConnect(**kwargs)
        except vim.fault.InvalidLogin as e:
            raise BridgeError("login-failed", e.msg or "invalid login", "InvalidLogin")
        except vim.fault.NoPermission as e:
            raise BridgeError("login-failed", e.msg or "no permission", "NoPermission")
        except (socket.error, ssl.SSLError, OSError) as e:
            raise BridgeError("unreachable", str(e), type(e).__name__)
        except Exception as e:
            if "thumbprint" in str(e).lower():
                raise BridgeError("tls-untrusted", str(e), type(e).__name__)
            raise
        self.content = self.si.RetrieveContent()

    def cookie(self):
        # pyvmomi keeps the whole Set-Cookie value; the Cookie header needs only "name=value"
        raw = (self.si._stub.cookie or "").split(";")[0].strip()
        if not raw.startswith("vmware_soap_session="):
            raise BridgeError("fault", "no vmware_soap_session cookie in this session", "NoCookie")
        return raw


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
    "network",
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


# ---------------------------------------------------------------- tasks, power, snapshots

def wait_task(sess, task, kind, timeout):
    deadline = time.time() + timeout
    while True:
        info = collect(sess.content, vim.Task, ["info.state", "info.error", "info.result"], objs=[task])[0][1]
        state = str(info.get("info.state"))
        if state == "success":
            return info.get("info.result")
        if state == "error":
            err = info.get("info.error")
            msg = getattr(err, "msg", None) or str(err)
            raise BridgeError("task-failed", "%s task failed: %s" % (kind, msg), type(err).__name__ if err is not None else "")
        if time.time() > deadline:
            raise BridgeError("timeout", "%s task did not finish within %ds" % (kind, timeout), "Timeout")
        time.sleep(TASK_POLL)


def vm_state(sess, vm):
    p = collect(sess.content, vim.VirtualMachine, ["runtime.powerState", "guest.toolsRunningStatus", "config.changeTrackingEnabled", "snapshot", "runtime.consolidationNeeded"], objs=[vm])[0][1]
    return {"powerState": str(p.get("runtime.powerState")), "toolsRunning": str(p.get("guest.toolsRunningStatus")) == "guestToolsRunning",
            "changeTrackingEnabled": bool(p.get("config.changeTrackingEnabled")), "snapshots": snapshot_tree(p.get("snapshot")),
            "consolidationNeeded": bool(p.get("runtime.consolidationNeeded"))}


def op_vm_state(sess, args):
    return vm_state(sess, find_vm(sess, None, args["moref"]))


def op_power_on(sess, args):
    vm = find_vm(sess, None, args["moref"])
    if vm_state(sess, vm)["powerState"] == "poweredOn":
        return {"changed": False}
    wait_task(sess, vm.PowerOnVM_Task(), "PowerOnVM", args.get("timeoutSec", 600))
    return {"changed": True}


def op_power_off(sess, args):
    vm = find_vm(sess, None, args["moref"])
    if vm_state(sess, vm)["powerState"] == "poweredOff":
        return {"changed": False}
    wait_task(sess, vm.PowerOffVM_Task(), "PowerOffVM", args.get("timeoutSec", 600))
    return {"changed": True}


def op_shutdown_guest(sess, args):
    vm = find_vm(sess, None, args["moref"])
    if vm_state(sess, vm)["powerState"] == "poweredOff":
        return {"changed": False}
    vm.ShutdownGuest()
    return {"changed": True}


def op_cbt_enable(sess, args):
    vm = find_vm(sess, None, args["moref"])
    if not vm_state(sess, vm)["changeTrackingEnabled"]:
        spec = vim.vm.ConfigSpec(changeTrackingEnabled=True)
        wait_task(sess, vm.ReconfigVM_Task(spec), "ReconfigVM", args.get("timeoutSec", 600))
        return {"changed": True}
    return {"changed": False}


def op_snapshot_create(sess, args):
    vm = find_vm(sess, None, args["moref"])
    task = vm.CreateSnapshot_Task(name=args["name"], description=args.get("description", ""), memory=False, quiesce=bool(args.get("quiesce", False)))
    result = wait_task(sess, task, "CreateSnapshot", args.get("timeoutSec", 1800))
    return {"moref": moref(result)}


def op_snapshot_remove(sess, args):
    snap = vim.vm.Snapshot(args["snapshot"], sess.si._stub)
    try:
        task = snap.RemoveSnapshot_Task(removeChildren=False, consolidate=True)
    except vmodl.fault.ManagedObjectNotFound:
        return {"removed": False, "missing": True}
    wait_task(sess, task, "RemoveSnapshot", args.get("timeoutSec", 3600))
    return {"removed": True, "missing": False}


def op_snapshot_disks(sess, args):
    snap = vim.vm.Snapshot(args["snapshot"], sess.si._stub)
    try:
        p = collect(sess.content, vim.vm.Snapshot, ["config.hardware.device"], objs=[snap])[0][1]
    except vmodl.fault.ManagedObjectNotFound:
        raise BridgeError("snapshot-not-found", "snapshot %s not found" % args["snapshot"], "ManagedObjectNotFound")
    return {"disks": disks_of(p.get("config.hardware.device"))}


def op_qcda(sess, args):
    vm = find_vm(sess, None, args["moref"])
    snap = vim.vm.Snapshot(args["snapshot"], sess.si._stub)
    key, change_id, capacity = int(args["deviceKey"]), args["changeId"], int(args["capacityBytes"])
    areas, calls, offset = [], 0, 0
    while offset < capacity:
        info = vm.QueryChangedDiskAreas(snapshot=snap, deviceKey=key, startOffset=offset, changeId=change_id)
        calls += 1
        start, length = int(info.startOffset), int(info.length)
        if start != offset or length <= 0:
            raise BridgeError("qcda-incomplete", "QueryChangedDiskAreas answered start=%d length=%d for request offset %d" % (start, length, offset), "Coverage")
        for a in info.changedArea or []:
            s, l = int(a.start), int(a.length)
            if s < start or s + l > start + length:
                raise BridgeError("qcda-incomplete", "changed area %d+%d lies outside the answered range %d+%d" % (s, l, start, length), "Coverage")
            areas.append([s, l])
        offset = start + length
    if offset < capacity:
        raise BridgeError("qcda-incomplete", "QCDA covered %d of %d bytes" % (offset, capacity), "Coverage")
    return {"areas": areas, "calls": calls, "covered": offset}


def op_session_cookie(sess, args):
    return {"cookie": sess.cookie()}


def op_ping(sess, args):
    # a property read needs a valid session (CurrentTime does not), so this detects expiry
    collect(sess.content, vim.Folder, ["name"], objs=[sess.content.rootFolder])
    return {"time": str(sess.si.CurrentTime())}


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


OPS = {
    "inventory": op_inventory, "vmState": op_vm_state, "powerOn": op_power_on, "powerOff": op_power_off,
    "shutdownGuest": op_shutdown_guest, "cbtEnable": op_cbt_enable, "snapshotCreate": op_snapshot_create,
    "snapshotRemove": op_snapshot_remove, "snapshotDisks": op_snapshot_disks, "qcda": op_qcda,
    "sessionCookie": op_session_cookie, "ping": op_ping, "vmList": op_vm_list,
}


def fault_reply(rid, e):
    if isinstance(e, BridgeError):
        return {"id": rid, "ok": False, "error": {"kind": e.kind, "fault": e.fault, "message": str(e)}}
    if isinstance(e, vmodl.MethodFault):
        msg = getattr(e, "msg", None) or ""
        faults = [f.localizedMessage for f in (getattr(e, "faultMessage", None) or []) if getattr(f, "localizedMessage", None)]
        return {"id": rid, "ok": False, "error": {"kind": "fault", "fault": type(e).__name__.split(".")[-1], "message": "; ".join([m for m in [msg] + faults if m])}}
    if isinstance(e, (socket.error, ssl.SSLError, OSError)):
        return {"id": rid, "ok": False, "error": {"kind": "unreachable", "fault": type(e).__name__, "message": str(e)}}
    return {"id": rid, "ok": False, "error": {"kind": "internal", "fault": type(e).__name__, "message": str(e)}}


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    sess = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
        except ValueError:
            send({"id": -1, "ok": False, "error": {"kind": "internal", "fault": "BadRequest", "message": "request is not JSON"}})
            continue
        rid, op, args = req.get("id", 0), req.get("op"), req.get("args") or {}
        try:
            if op == "connect":
                sess = Session(args)
                sess.connect()
                about = sess.content.about
                send({"id": rid, "ok": True, "result": {"apiVersion": about.apiVersion, "fullName": about.fullName, "pyvmomi": getattr(pyVmomi, "__version__", "")}})
                continue
            if op == "close":
                if sess and sess.si:
                    try:
                        Disconnect(sess.si)
                    except Exception:
                        pass
                send({"id": rid, "ok": True, "result": {}})
                return
            if sess is None:
                raise BridgeError("internal", "not connected", "NotConnected")
            fn = OPS.get(op)
            if fn is None:
                raise BridgeError("internal", "unknown op %r" % op, "BadRequest")
            try:
                result = fn(sess, args)
            except vim.fault.NotAuthenticated:
                # session expired (long syncs): log in again once and retry the operation
                sess.connect()
                result = fn(sess, args)
                result = dict(result, reauthenticated=True) if isinstance(result, dict) else result
            send({"id": rid, "ok": True, "result": result})
        except Exception as e:  # every failure becomes one reply; the process keeps serving
            send(fault_reply(rid, e))


if __name__ == "__main__":
    main()
