# Parses XML the lab's encoder wrote with pyVmomi's own deserializer (the strict parser clients use).
# Input: {"items": [{"xml": "<obj ...>...</obj>", "type": "VirtualMachineConfigInfo"}]}.
# Output: per item {"ok": {"type": ..., "devices": [...]}} or {"error": "..."}.
import json
import sys

from pyVmomi import SoapAdapter, VmomiSupport, vim

def chain(backing):
    """File names from the running delta down to the base disk."""
    names = []
    while backing is not None:
        names.append(backing.fileName)
        backing = getattr(backing, "parent", None)
    return names


inp = json.loads(sys.stdin.read())
out = []
for item in inp["items"]:
    try:
        t = VmomiSupport.GetWsdlType("urn:vim25", item["type"])
        obj = SoapAdapter.Deserialize(item["xml"].encode("utf-8"), t)
        r = {"type": type(obj).__name__.split(".")[-1]}
        hw = getattr(obj, "hardware", None)
        if hw is not None:
            r["devices"] = [{"type": type(d).__name__.split(".")[-1], "key": d.key,
                             "backing": type(d.backing).__name__.split(".")[-1] if d.backing else None,
                             "mode": getattr(d.backing, "compatibilityMode", None) or getattr(d.backing, "diskMode", None),
                             "sharing": getattr(d.backing, "sharing", None),
                             "chain": chain(d.backing) if isinstance(d, vim.vm.device.VirtualDisk) else None}
                            for d in hw.device]
            r["extraConfig"] = {o.key: o.value for o in obj.extraConfig}
            r["secureBoot"] = obj.bootOptions.efiSecureBootEnabled
        out.append({"ok": r})
    except Exception as e:
        out.append({"error": ("%s: %s" % (type(e).__name__, e))[-600:]})
sys.stdout.write(json.dumps({"results": out}) + "\n")
