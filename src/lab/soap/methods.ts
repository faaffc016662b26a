// The vSphere methods the lab implements. Each handler receives decoded arguments and returns the
// value the method's result type describes; refusals are SoapFaults (or LabFaults from the model).
import { type DataObject, MoRef, data, mor } from "./codec/values";
import { type CallContext, type Handler, requireSession } from "./call";
import { faults, soapFault } from "./faults";
import { type ObjectIndex } from "./objects/index";
import { userSession } from "./objects/index";
import { collectorMethods } from "./methods-collector";
import { historyMethods } from "./history";
import { browserMethods } from "./datastore-browser";
import { TASK_LABELS } from "./tasks";

function vmOf(c: CallContext) {
  return c.svc.model.vm(c.self.value);
}

function task(c: CallContext, name: string, descriptionId: string, entity: MoRef, entityName: string, run: () => Promise<unknown>): MoRef {
  const userName = c.session?.userName ?? "";
  const slowly = async () => {
    // slow-task fault: the task shows "running" for a while before it does its work (a long consolidation)
    const ms = await c.svc.model.takeTaskDelay(name);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
    return run();
  };
  const ref = c.svc.tasks.start({ name, descriptionId, entity, entityName, userName, run: slowly });
  // vCenter logs a TaskEvent when a task is created, chained to it by eventChainId.
  const info = c.svc.tasks.get(ref.value)?.info;
  const inv = c.svc.model.inventory();
  const vm = entity.type === "VirtualMachine" ? inv.vms.find((v) => v.moref === entity.value) : undefined;
  if (info) c.svc.events.taskEvent(inv, vm, info, userName, `Task: ${TASK_LABELS[descriptionId] ?? descriptionId}`);
  return ref;
}

/** Logs an event about a VM as it is now (after the operation that caused it). */
function logVm(c: CallContext, vmRef: string, type: string, message: (name: string) => string, extra: Record<string, unknown> = {}): void {
  const inv = c.svc.model.inventory();
  const vm = inv.vms.find((v) => v.moref === vmRef);
  if (vm) c.svc.events.vmEvent(inv, vm, type, c.session?.userName ?? "", message(vm.name), extra);
}

/** extraConfig entries of a ConfigSpec as strings (vSphere: an empty value removes the key). */
function extraConfigOf(spec: DataObject): { key: string; value: string }[] {
  return ((spec["extraConfig"] as DataObject[] | undefined) ?? []).map((o) => {
    const v = o["value"];
    const value =
      v === undefined || v === null
        ? ""
        : typeof v === "object" && "value" in (v as object)
          ? String((v as { value: unknown }).value)
          : String(v);
    return { key: String(o["key"]), value };
  });
}

function revert(c: CallContext, snapshot: string, suppressPowerOn: boolean, name: string): MoRef {
  const vm = c.svc.model.snapshotOwner(snapshot);
  const snapName = vm.snapshots.find((s) => s.moref === snapshot)?.name ?? snapshot;
  return task(c, name, "vm.Snapshot.revert", mor("VirtualMachine", vm.moref), vm.name, async () => {
    await c.svc.model.revertToSnapshot(snapshot, { suppressPowerOn });
    logVm(
      c,
      vm.moref,
      "EventEx",
      (n) => `The execution state of the virtual machine ${n} has been reverted to the state of snapshot ${snapName}`,
      {
        eventTypeId: "com.vmware.vc.vm.VmStateRevertedToSnapshot",
        severity: "info",
        objectId: vm.moref,
        objectType: "VirtualMachine",
        objectName: vm.name,
      },
    );
    return undefined;
  });
}

/** Splits "a/b%2fc" into names, decoding the %2f escapes vSphere uses for "/" inside names. */
function pathNames(path: string): string[] {
  return path
    .split("/")
    .filter((p) => p !== "")
    .map((p) => p.replace(/%2f/gi, "/").replace(/%25/g, "%"));
}

function childByName(index: ObjectIndex, parent: MoRef, name: string): MoRef | undefined {
  const o = index.objects.get(parent.value);
  for (const c of o?.children?.() ?? []) {
    if (index.objects.get(c.value)?.props["name"]?.() === name) return c;
  }
  return undefined;
}

const reconfigurable = new Set([
  "changeTrackingEnabled",
  "changeVersion",
  "numCPUs",
  "numCoresPerSocket",
  "memoryMB",
  "annotation",
  "deviceChange",
  "extraConfig",
]);

/** Disk growth requests (deviceChange edit of a VirtualDisk's capacity); anything else is refused. */
function diskGrowth(spec: DataObject): { key: number; capacityBytes: number }[] {
  const out: { key: number; capacityBytes: number }[] = [];
  for (const change of (spec["deviceChange"] as DataObject[] | undefined) ?? []) {
    const device = change["device"] as DataObject | undefined;
    if (change["operation"] !== "edit" || device?._type !== "VirtualDisk" || change["fileOperation"] !== undefined) {
      throw soapFault("NotSupported", "The lab host only supports growing a virtual disk through deviceChange (operation edit).");
    }
    const bytes =
      typeof device["capacityInBytes"] === "number"
        ? device["capacityInBytes"]
        : typeof device["capacityInKB"] === "number"
          ? device["capacityInKB"] * 1024
          : undefined;
    if (bytes === undefined || typeof device["key"] !== "number")
      throw faults.invalidArgument("deviceChange.device needs key and capacityInBytes", "deviceChange.device");
    out.push({ key: device["key"], capacityBytes: bytes });
  }
  return out;
}

function validateConfigSpec(spec: DataObject): void {
  const numCPUs = spec["numCPUs"];
  if (numCPUs !== undefined && (typeof numCPUs !== "number" || numCPUs < 1 || numCPUs > 768))
    throw faults.invalidArgument("Invalid number of virtual CPUs", "spec.numCPUs");
  const cores = spec["numCoresPerSocket"];
  if (cores !== undefined && (typeof cores !== "number" || cores < 1))
    throw faults.invalidArgument("Invalid cores per socket", "spec.numCoresPerSocket");
  const mem = spec["memoryMB"];
  if (mem !== undefined && (typeof mem !== "number" || mem < 4 || mem % 4 !== 0))
    throw faults.invalidArgument("Memory size must be a positive multiple of 4 MB", "spec.memoryMB");
  for (const k of Object.keys(spec)) {
    if (k === "_type" || reconfigurable.has(k)) continue;
    throw soapFault("NotSupported", `The lab host does not support reconfiguring '${k}'.`);
  }
  if (
    spec["numCPUs"] !== undefined ||
    spec["memoryMB"] !== undefined ||
    spec["numCoresPerSocket"] !== undefined ||
    spec["annotation"] !== undefined
  ) {
    throw soapFault("NotSupported", "The lab host only reconfigures changeTrackingEnabled, extraConfig and disk capacity.");
  }
}

export const methods: Record<string, Handler> = {
  ...collectorMethods,
  ...historyMethods,
  ...browserMethods,
  RetrieveServiceContent: (c) => c.svc.serviceContent,
  CurrentTime: () => new Date().toISOString(),

  Login: (c, a) => {
    const user = String(a["userName"]);
    if (!c.svc.sessions.checkCredentials(user, String(a["password"]))) throw faults.invalidLogin();
    const s = c.svc.sessions.create(user, c.ip, c.userAgent);
    // vCenter's cookie attributes; pyVmomi sends the whole value back.
    c.setCookie(`vmware_soap_session="${s.key}"; Path=/; HttpOnly; Secure;`);
    c.svc.events.sessionEvent("UserLoginSessionEvent", {
      userName: s.userName,
      ipAddress: s.ipAddress,
      userAgent: s.userAgent,
      key: s.key,
    });
    return userSession(s);
  },
  Logout: (c) => {
    const s = requireSession(c);
    c.svc.sessions.remove(s.key);
    c.svc.events.sessionEvent("UserLogoutSessionEvent", {
      userName: s.userName,
      ipAddress: s.ipAddress,
      userAgent: s.userAgent,
      key: s.key,
    });
  },
  TerminateSession: (c, a) => {
    const own = requireSession(c).key;
    const keys = (a["sessionId"] as string[] | undefined) ?? [];
    if (keys.includes(own)) throw faults.invalidArgument("A session cannot terminate itself; use Logout", "sessionId");
    for (const k of keys) if (!c.svc.sessions.all().some((s) => s.key === k)) throw soapFault("NotFound", `No session ${k}`);
    for (const k of keys) c.svc.sessions.remove(k);
  },
  SessionIsActive: (c, a) => {
    const s = c.svc.sessions.find(String(a["sessionID"]), c.svc.model.faults().sessionsExpiredBefore);
    return s !== undefined && s.userName === a["userName"];
  },

  FindByInventoryPath: (c, a) => {
    requireSession(c);
    let cur: MoRef | undefined = c.index.objects.get("group-d1")?.ref;
    for (const name of pathNames(String(a["inventoryPath"]))) {
      if (!cur) return undefined;
      cur = childByName(c.index, cur, name);
    }
    return cur;
  },
  FindByUuid: (c, a) => findByUuid(c, a)[0],
  FindAllByUuid: (c, a) => findByUuid(c, a),
  FindChild: (c, a) => {
    requireSession(c);
    const entity = a["entity"] as MoRef;
    if (!c.index.get(entity)) throw faults.managedObjectNotFound(entity);
    return childByName(c.index, entity, String(a["name"]));
  },

  ReconfigVM_Task: (c, a) => {
    const vm = vmOf(c);
    const spec = a["spec"] as DataObject;
    return task(c, "ReconfigVM_Task", "VirtualMachine.reconfigure", c.self, vm.name, async () => {
      validateConfigSpec(spec);
      const cbt = spec["changeTrackingEnabled"];
      const disks = diskGrowth(spec);
      const extraConfig = extraConfigOf(spec);
      await c.svc.model.reconfigure(vm.moref, {
        ...(cbt === undefined ? {} : { changeTrackingEnabled: cbt === true }),
        ...(disks.length > 0 ? { disks } : {}),
        ...(extraConfig.length > 0 ? { extraConfig } : {}),
      });
      logVm(c, vm.moref, "VmReconfiguredEvent", (n) => `Reconfigured ${n} on ${c.svc.model.inventory().hosts[0]?.name ?? "host"}`, {
        configSpec: spec,
      });
      return undefined;
    });
  },
  CreateSnapshot_Task: (c, a) => {
    const vm = vmOf(c);
    const opts = {
      name: String(a["name"]),
      description: String(a["description"] ?? ""),
      memory: a["memory"] === true,
      quiesce: a["quiesce"] === true,
    };
    return task(c, "CreateSnapshot_Task", "VirtualMachine.createSnapshot", c.self, vm.name, async () => {
      const snap = await c.svc.model.createSnapshot(vm.moref, opts);
      return mor("VirtualMachineSnapshot", snap);
    });
  },
  RemoveSnapshot_Task: (c, a) => {
    const vm = c.svc.model.snapshotOwner(c.self.value);
    const opts = { removeChildren: a["removeChildren"] === true, consolidate: a["consolidate"] !== false };
    return task(c, "RemoveSnapshot_Task", "VirtualMachine.removeSnapshot", mor("VirtualMachine", vm.moref), vm.name, async () => {
      await c.svc.model.removeSnapshot(c.self.value, opts);
      return undefined;
    });
  },
  RevertToSnapshot_Task: (c, a) => revert(c, c.self.value, a["suppressPowerOn"] === true, "RevertToSnapshot_Task"),
  RevertToCurrentSnapshot_Task: (c, a) => {
    const vm = vmOf(c);
    if (!vm.currentSnapshot) throw soapFault("NotFound", `${vm.name} has no current snapshot`);
    return revert(c, vm.currentSnapshot, a["suppressPowerOn"] === true, "RevertToCurrentSnapshot_Task");
  },
  ConsolidateVMDisks_Task: (c) => {
    const vm = vmOf(c);
    return task(c, "ConsolidateVMDisks_Task", "VirtualMachine.consolidateDisks", c.self, vm.name, async () => {
      await c.svc.model.consolidateDisks(vm.moref);
      return undefined;
    });
  },
  PowerOnVM_Task: (c) => {
    const vm = vmOf(c);
    return task(c, "PowerOnVM_Task", "VirtualMachine.powerOn", c.self, vm.name, async () => {
      await c.svc.model.powerOn(vm.moref);
      logVm(c, vm.moref, "VmPoweredOnEvent", (n) => `${n} is powered on`);
      return undefined;
    });
  },
  PowerOffVM_Task: (c) => {
    const vm = vmOf(c);
    return task(c, "PowerOffVM_Task", "VirtualMachine.powerOff", c.self, vm.name, async () => {
      await c.svc.model.powerOff(vm.moref);
      logVm(c, vm.moref, "VmPoweredOffEvent", (n) => `${n} is powered off`);
      return undefined;
    });
  },
  ShutdownGuest: async (c) => {
    await c.svc.model.shutdownGuest(c.self.value);
    logVm(c, c.self.value, "VmGuestShutdownEvent", (n) => `Guest OS shut down for ${n}`);
  },
  QueryConfigOptionDescriptor: (c) => {
    const hosts = c.index.inv.hosts.map((h) => mor("HostSystem", h.moref));
    // Hardware versions a host of the profile's ESXi runs (vmx-14 is 6.7's default, 17/19 7.0's, 20/21 8.0's).
    const max = { "6.7": 14, "7.0": 19, "8.0": 21 }[c.svc.profile.name];
    return [10, 11, 13, 14, 15, 17, 18, 19, 20, 21]
      .filter((v) => v <= max)
      .map((v) =>
        data("VirtualMachineConfigOptionDescriptor", {
          key: `vmx-${v}`,
          description: `Hardware version ${v}`,
          host: hosts,
          createSupported: true,
          defaultConfigOption: v === max,
          runSupported: true,
          upgradeSupported: true,
        }),
      );
  },
  QueryChangedDiskAreas: async (c, a) => {
    const snapshot = a["snapshot"] as MoRef | undefined;
    if (snapshot && !c.index.get(snapshot)) throw faults.managedObjectNotFound(snapshot);
    if (c.svc.model.faults().qcdaUnsupported) throw faults.methodNotFound(c.self, "QueryChangedDiskAreas");
    const r = await c.svc.model.queryChangedDiskAreas(
      c.self.value,
      snapshot?.value ?? null,
      Number(a["deviceKey"]),
      Number(a["startOffset"]),
      String(a["changeId"]),
    );
    return data("DiskChangeInfo", {
      startOffset: r.startOffset,
      length: r.length,
      changedArea: r.changedArea.map((x) => data("DiskChangeExtent", { start: x.start, length: x.length })),
    });
  },
};

function findByUuid(c: CallContext, a: Record<string, unknown>): MoRef[] {
  requireSession(c);
  const uuid = String(a["uuid"]).toLowerCase();
  if (a["vmSearch"] !== true) return [];
  const byInstance = a["instanceUuid"] === true;
  return c.index.inv.vms
    .filter((v) => (byInstance ? v.instanceUuid : v.uuid).toLowerCase() === uuid)
    .map((v) => mor("VirtualMachine", v.moref));
}
