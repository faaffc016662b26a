#!/usr/bin/python3
# ablestack-v2k vSphere bridge: one long-lived process per helper command.
# Protocol: JSON lines on stdin/stdout. The first request is {"op":"connect", "args":{...credentials}};
# then {"id":N, "op":NAME, "args":{...}} -> {"id":N, "ok":true, "result":...} or
# {"id":N, "ok":false, "error":{"kind":..., "fault":..., "message":...}}.
# Credentials arrive on stdin only. Every vSphere fault is reported by its type name; the TypeScript
# side maps names to ablestack-v2k error codes.
import http.client
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

from v2k_inventory import BridgeError, collect, disks_of, find_vm, moref, op_inventory, op_vm_list, snapshot_tree  # noqa: E402

# a task is polled quickly first (lab and small snapshot tasks end in milliseconds), then every 0.2 s
TASK_POLL = (0.01, 0.02, 0.04, 0.08, 0.15, 0.2)
# Calls that only read: repeated after a broken connection. A call that starts a task is not (it may
# have reached vCenter before the connection broke).
READ_ONLY_OPS = {"inventory", "vmList", "vmState", "snapshotDisks", "qcda", "sessionCookie", "ping"}


def thumbprint_message(text):
    # pyVmomi: "Server has wrong SHA1 thumbprint: <hex> (required) != <hex> (server)"
    m = re.search(r"([0-9a-fA-F]{40})\W+\(required\)\W+!=\W+([0-9a-fA-F]{40})", text)
    if not m:
        return text
    colons = lambda h: ":".join(h[i:i + 2] for i in range(0, 40, 2)).upper()  # noqa: E731
    return "the server's certificate thumbprint %s differs from the pinned %s" % (colons(m.group(2)), colons(m.group(1)))


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
            text = getattr(e, "msg", None) or str(e)
            if "thumbprint" in text.lower():
                raise BridgeError("tls-untrusted", thumbprint_message(text), type(e).__name__)
            raise
        self.content = self.si.RetrieveContent()

    def cookie(self):
        # pyvmomi keeps the whole Set-Cookie value; the Cookie header needs only "name=value"
        raw = (self.si._stub.cookie or "").split(";")[0].strip()
        if not raw.startswith("vmware_soap_session="):
            raise BridgeError("fault", "no vmware_soap_session cookie in this session", "NoCookie")
        return raw


# ---------------------------------------------------------------- tasks, power, snapshots

def wait_task(sess, task, kind, timeout):
    deadline = time.time() + timeout
    polls = 0
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
        time.sleep(TASK_POLL[min(polls, len(TASK_POLL) - 1)])
        polls += 1


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
    try:
        wait_task(sess, task, "RemoveSnapshot", args.get("timeoutSec", 3600))
    except BridgeError as e:
        # our task queued behind an earlier removal of the same snapshot (a killed helper's): once that
        # one finished, ours finds nothing to remove, which is what was wanted
        if e.fault.endswith("ManagedObjectNotFound"):
            return {"removed": False, "missing": True}
        raise
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
            except (socket.error, ssl.SSLError, OSError, http.client.HTTPException):
                # the connection broke (vCenter restarted, a proxy closed it): connect again, which checks
                # the pinned thumbprint anew (a changed certificate is tls-untrusted), then repeat a read
                sess.connect()
                if op not in READ_ONLY_OPS:
                    raise
                result = fn(sess, args)
                result = dict(result, reauthenticated=True) if isinstance(result, dict) else result
            send({"id": rid, "ok": True, "result": result})
        except Exception as e:  # every failure becomes one reply; the process keeps serving
            send(fault_reply(rid, e))


if __name__ == "__main__":
    main()
