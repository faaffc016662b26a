# Load: N concurrent pyVmomi clients (threads, each with its own connection and session), each running
# rounds of a typical inventory read: one paged PropertyCollector query, attribute walks, a task wait.
# Input: lab.json fields plus {"clients": N, "rounds": R, "vm": moref}. Output: per-client timings.
import threading
import time

from labclient import collect, connect, done, fault_name, read_input
from pyVim.task import WaitForTask
from pyVmomi import vim, vmodl

inp = read_input()
results = []
lock = threading.Lock()
start = threading.Event()


def client(n):
    calls, errors, t0 = 0, [], None
    try:
        si = connect(inp, "thumbprint" if n % 2 else "unverified")
        start.wait()
        t0 = time.time()
        for r in range(inp["rounds"]):
            rows, pages = collect(si, vim.VirtualMachine, ["name", "runtime.powerState", "config.hardware.device"], 1)
            calls += 3 + pages
            vm = vim.VirtualMachine(inp["vm"], si._stub)
            _ = vm.config.changeTrackingEnabled, vm.snapshot, vm.runtime.host.name, vm.summary.config.numVirtualDisks
            calls += 5
            if r == 0:
                # every client waits for a task of its own (serialized by the host per VM, as on vCenter)
                WaitForTask(vm.ReconfigVM_Task(vim.vm.ConfigSpec(changeTrackingEnabled=True)))
                calls += 5
        si.content.sessionManager.Logout()
    except vmodl.MethodFault as e:
        errors.append("%s: %s" % (fault_name(e), e.msg))
    except Exception as e:
        errors.append("%s: %s" % (type(e).__name__, e))
    with lock:
        results.append({"client": n, "calls": calls, "errors": errors, "seconds": time.time() - t0 if t0 else None})


threads = [threading.Thread(target=client, args=(i,)) for i in range(inp["clients"])]
for t in threads:
    t.start()
time.sleep(0.5)
t0 = time.time()
start.set()
for t in threads:
    t.join()
done({"wall": time.time() - t0, "clients": results})
