// The vSphere methods the lab implements. Each handler receives decoded arguments and returns the
// value the method's result type describes; refusals are SoapFaults (or LabFaults from the model).
import { randomUUID } from "node:crypto";
import { type DataObject, MoRef, data, mor } from "./codec/values";
import { collect, objectContent } from "./collector";
import { faults, soapFault } from "./faults";
import { type ObjectIndex } from "./objects/index";
import { userSession } from "./objects/index";
import { isManagedType } from "./schema/schema";
import { type Session } from "./sessions";
import { waitForUpdates } from "./updates";
import { type LabSoapService } from "./service";

export interface CallContext {
  svc: LabSoapService;
  session: Session | undefined;
  self: MoRef;
  index: ObjectIndex;
  ip: string;
  userAgent: string;
  signal: AbortSignal;
  setCookie(value: string): void;
}

type Handler = (c: CallContext, args: Record<string, unknown>) => unknown;

const DEFAULT_PAGE = 100;
const MAX_OPEN_PAGES = 64;

function requireSession(c: CallContext): Session {
  if (!c.session) throw faults.notAuthenticated(c.self);
  return c.session;
}

function page(session: Session, objects: DataObject[], maxObjects: number): DataObject | undefined {
  if (objects.length === 0) return undefined;
  const size = maxObjects > 0 ? Math.min(maxObjects, DEFAULT_PAGE) : DEFAULT_PAGE;
  const first = objects.slice(0, size);
  const rest = objects.slice(size);
  let token: string | undefined;
  if (rest.length > 0) {
    token = randomUUID();
    session.pages.set(token, { objects: rest, size });
    // Clients that never finish paging must not grow the session without bound.
    for (const k of session.pages.keys()) {
      if (session.pages.size <= MAX_OPEN_PAGES) break;
      session.pages.delete(k);
    }
  }
  return data("RetrieveResult", { token, objects: first });
}

function retrieveAll(c: CallContext, specSet: unknown): DataObject[] {
  const out: DataObject[] = [];
  for (const spec of specSet as DataObject[]) for (const o of collect(c.index, spec)) out.push(objectContent(o));
  return out;
}

function vmOf(c: CallContext) {
  return c.svc.model.vm(c.self.value);
}

function task(c: CallContext, name: string, descriptionId: string, entity: MoRef, entityName: string, run: () => Promise<unknown>): MoRef {
  return c.svc.tasks.start({ name, descriptionId, entity, entityName, userName: c.session?.userName ?? "", run });
}

/** Splits "a/b%2fc" into names, decoding the %2f escapes vSphere uses for "/" inside names. */
function pathNames(path: string): string[] {
  return path.split("/").filter((p) => p !== "").map((p) => p.replace(/%2f/gi, "/").replace(/%25/g, "%"));
}

function childByName(index: ObjectIndex, parent: MoRef, name: string): MoRef | undefined {
  const o = index.objects.get(parent.value);
  for (const c of o?.children?.() ?? []) {
    if (index.objects.get(c.value)?.props["name"]?.() === name) return c;
  }
  return undefined;
}

const reconfigurable = new Set(["changeTrackingEnabled", "changeVersion", "numCPUs", "numCoresPerSocket", "memoryMB", "annotation", "deviceChange"]);

/** Disk growth requests (deviceChange edit of a VirtualDisk's capacity); anything else is refused. */
function diskGrowth(spec: DataObject): { key: number; capacityBytes: number }[] {
  const out: { key: number; capacityBytes: number }[] = [];
  for (const change of (spec["deviceChange"] as DataObject[] | undefined) ?? []) {
    const device = change["device"] as DataObject | undefined;
    if (change["operation"] !== "edit" || device?._type !== "VirtualDisk" || change["fileOperation"] !== undefined) {
      throw soapFault("NotSupported", "The lab host only supports growing a virtual disk through deviceChange (operation edit).");
    }
    const bytes = typeof device["capacityInBytes"] === "number" ? device["capacityInBytes"] : typeof device["capacityInKB"] === "number" ? device["capacityInKB"] * 1024 : undefined;
    if (bytes === undefined || typeof device["key"] !== "number") throw faults.invalidArgument("deviceChange.device needs key and capacityInBytes", "deviceChange.device");
    out.push({ key: device["key"], capacityBytes: bytes });
  }
  return out;
}

function validateConfigSpec(spec: DataObject): void {
  const numCPUs = spec["numCPUs"];
  if (numCPUs !== undefined && (typeof numCPUs !== "number" || numCPUs < 1 || numCPUs > 768)) throw faults.invalidArgument("Invalid number of virtual CPUs", "spec.numCPUs");
  const cores = spec["numCoresPerSocket"];
  if (cores !== undefined && (typeof cores !== "number" || cores < 1)) throw faults.invalidArgument("Invalid cores per socket", "spec.numCoresPerSocket");
  const mem = spec["memoryMB"];
  if (mem !== undefined && (typeof mem !== "number" || mem < 4 || mem % 4 !== 0)) throw faults.invalidArgument("Memory size must be a positive multiple of 4 MB", "spec.memoryMB");
  for (const k of Object.keys(spec)) {
    if (k === "_type" || reconfigurable.has(k)) continue;
    throw soapFault("NotSupported", `The lab host does not support reconfiguring '${k}'.`);
  }
  if (spec["numCPUs"] !== undefined || spec["memoryMB"] !== undefined || spec["numCoresPerSocket"] !== undefined || spec["annotation"] !== undefined) {
    throw soapFault("NotSupported", "The lab host only reconfigures changeTrackingEnabled and disk capacity.");
  }
}

export const methods: Record<string, Handler> = {
  RetrieveServiceContent: (c) => c.svc.serviceContent,
  CurrentTime: () => new Date().toISOString(),

  Login: (c, a) => {
    const user = String(a["userName"]);
    if (!c.svc.sessions.checkCredentials(user, String(a["password"]))) throw faults.invalidLogin();
    const s = c.svc.sessions.create(user, c.ip, c.userAgent);
    // vCenter's cookie attributes; pyVmomi sends the whole value back.
    c.setCookie(`vmware_soap_session="${s.key}"; Path=/; HttpOnly; Secure;`);
    return userSession(s);
  },
  Logout: (c) => {
    c.svc.sessions.remove(requireSession(c).key);
  },
  SessionIsActive: (c, a) => {
    const s = c.svc.sessions.find(String(a["sessionID"]), c.svc.model.faults().sessionsExpiredBefore);
    return s !== undefined && s.userName === a["userName"];
  },

  RetrievePropertiesEx: (c, a) => {
    const s = requireSession(c);
    const maxObjects = Number((a["options"] as DataObject | undefined)?.["maxObjects"] ?? 0);
    return page(s, retrieveAll(c, a["specSet"]), maxObjects);
  },
  ContinueRetrievePropertiesEx: (c, a) => {
    const s = requireSession(c);
    const token = String(a["token"]);
    const rest = s.pages.get(token);
    if (!rest) throw faults.invalidArgument(`Unknown or finished token ${token}`, "token");
    s.pages.delete(token);
    // Later pages keep the page size of the first call.
    return page(s, rest.objects, rest.size);
  },
  CancelRetrievePropertiesEx: (c, a) => {
    requireSession(c).pages.delete(String(a["token"]));
  },
  RetrieveProperties: (c, a) => {
    requireSession(c);
    return retrieveAll(c, a["specSet"]);
  },

  CreateFilter: (c, a) => {
    const s = requireSession(c);
    const spec = a["spec"] as DataObject;
    collect(c.index, spec); // refuses bad specs now, as vCenter does
    const moref = `session[${s.key}]${randomUUID()}`;
    s.filters.set(moref, { moref, spec, partialUpdates: a["partialUpdates"] === true });
    return mor("PropertyFilter", moref);
  },
  DestroyPropertyFilter: (c) => {
    requireSession(c).filters.delete(c.self.value);
  },
  WaitForUpdates: (c, a) => waitFor(c, a["version"] as string | undefined, undefined),
  WaitForUpdatesEx: (c, a) => {
    const opts = a["options"] as DataObject | undefined;
    const max = opts?.["maxWaitSeconds"];
    return waitFor(c, a["version"] as string | undefined, typeof max === "number" ? max : undefined);
  },
  CheckForUpdates: (c, a) => waitFor(c, a["version"] as string | undefined, 0),
  CancelWaitForUpdates: (c) => {
    for (const w of requireSession(c).waiters) w.abort();
  },

  CreateContainerView: (c, a) => {
    const s = requireSession(c);
    const container = a["container"] as MoRef;
    if (!c.index.get(container)) throw faults.managedObjectNotFound(container);
    const types = (a["type"] as string[] | undefined) ?? [];
    for (const t of types) if (!isManagedType(t) && !["StoragePod", "VirtualApp", "ComputeResource"].includes(t)) throw faults.invalidArgument(`Unknown type ${t}`, "type");
    const moref = `session[${s.key}]${randomUUID()}`;
    s.views.set(moref, { moref, container: container.value, types, recursive: a["recursive"] === true });
    return mor("ContainerView", moref);
  },
  DestroyView: (c) => {
    requireSession(c).views.delete(c.self.value);
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
      await c.svc.model.reconfigure(vm.moref, {
        ...(cbt === undefined ? {} : { changeTrackingEnabled: cbt === true }),
        ...(disks.length > 0 ? { disks } : {}),
      });
      return undefined;
    });
  },
  CreateSnapshot_Task: (c, a) => {
    const vm = vmOf(c);
    const opts = { name: String(a["name"]), description: String(a["description"] ?? ""), memory: a["memory"] === true, quiesce: a["quiesce"] === true };
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
      return undefined;
    });
  },
  PowerOffVM_Task: (c) => {
    const vm = vmOf(c);
    return task(c, "PowerOffVM_Task", "VirtualMachine.powerOff", c.self, vm.name, async () => {
      await c.svc.model.powerOff(vm.moref);
      return undefined;
    });
  },
  ShutdownGuest: async (c) => {
    await c.svc.model.shutdownGuest(c.self.value);
  },
  QueryChangedDiskAreas: async (c, a) => {
    const snapshot = a["snapshot"] as MoRef | undefined;
    if (snapshot && !c.index.get(snapshot)) throw faults.managedObjectNotFound(snapshot);
    const r = await c.svc.model.queryChangedDiskAreas(c.self.value, snapshot?.value ?? null, Number(a["deviceKey"]), Number(a["startOffset"]), String(a["changeId"]));
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
  return c.index.inv.vms.filter((v) => (byInstance ? v.instanceUuid : v.uuid).toLowerCase() === uuid).map((v) => mor("VirtualMachine", v.moref));
}

async function waitFor(c: CallContext, version: string | undefined, maxWaitSeconds: number | undefined): Promise<unknown> {
  const s = requireSession(c);
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  c.signal.addEventListener("abort", onAbort);
  s.waiters.add(abort);
  try {
    return await waitForUpdates(s, () => c.svc.buildIndex(s), c.svc.changed, { version, maxWaitSeconds, signal: abort.signal }, (m) => mor("PropertyFilter", m));
  } finally {
    s.lastActiveTime = new Date(); // a long wait is activity, not idleness
    s.waiters.delete(abort);
    c.signal.removeEventListener("abort", onAbort);
  }
}
