# Shared helpers for the lab's pyVmomi test scripts: read the JSON input from stdin (credentials
# travel there, never in argv), connect like a migration tool does, print one JSON result.
import json
import ssl
import sys
from urllib.parse import urlparse

from pyVim.connect import SmartConnect, Disconnect
from pyVmomi import vim, vmodl


def read_input():
    return json.loads(sys.stdin.read() or "{}")


def connect(inp, mode="unverified", user=None, password=None):
    """SmartConnect with an unverified context, a thumbprint pin, or the lab cert as CA file."""
    u = urlparse(inp["url"])
    kwargs = dict(host=u.hostname, port=u.port, user=user or inp["username"], pwd=password or inp["password"])
    if mode == "unverified":
        kwargs["sslContext"] = ssl._create_unverified_context()
    elif mode == "thumbprint":
        kwargs["sslContext"] = ssl._create_unverified_context()
        kwargs["thumbprint"] = inp["thumbprint"].replace(":", "")
    elif mode == "cafile":
        ctx = ssl.create_default_context(cafile=inp["certFile"])
        kwargs["sslContext"] = ctx
    else:
        raise ValueError(mode)
    return SmartConnect(**kwargs)


def fault_name(e):
    return type(e).__name__.split(".")[-1]


def done(result):
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def collect(si, obj_type, paths, max_objects=None):
    """One PropertyCollector query over a container view with explicit paging; returns (rows, pages)."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [obj_type], True)
    try:
        ts = vmodl.query.PropertyCollector.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
        spec = vmodl.query.PropertyCollector.FilterSpec(
            objectSet=[vmodl.query.PropertyCollector.ObjectSpec(obj=view, skip=True, selectSet=[ts])],
            propSet=[vmodl.query.PropertyCollector.PropertySpec(type=obj_type, pathSet=paths, all=False)])
        opts = vmodl.query.PropertyCollector.RetrieveOptions(maxObjects=max_objects)
        pc = content.propertyCollector
        res = pc.RetrievePropertiesEx([spec], opts)
        rows, pages = [], 0
        while res is not None:
            pages += 1
            for oc in res.objects:
                rows.append((oc.obj, {p.name: p.val for p in oc.propSet}))
            if not res.token:
                break
            res = pc.ContinueRetrievePropertiesEx(res.token)
        return rows, pages
    finally:
        view.Destroy()
