// The managed objects the lab shows, built from one inventory snapshot per request: service objects,
// the folder tree, datacenter, cluster, hosts, datastores, networks, VMs, snapshots, tasks and the
// caller's session objects (filters, container views). Properties are computed lazily.
import { type LabInventory, type LabModelApi } from "../../model/types";
import { type DataObject, MoRef, data, mor } from "../codec/values";
import { isManagedSubtype } from "../schema/schema";
import { type Session, type ContainerViewDef } from "../sessions";
import { type TaskRegistry } from "../tasks";
import { type EventLog, eventDescription } from "../events";
import { RECENT_TASK_MS, collectorItems, latestPage } from "../history";
import { SERVICE, dvsId, dvsUuid, envBrowserId, folderIds, hostHardware, resourcePoolId } from "./ids";
import { type PropGetters, entityDefaults, snapshotGetters, vmGetters } from "./vm-objects";

export interface ManagedObjectView {
  ref: MoRef;
  props: PropGetters;
  /** Children for container views, FindChild and inventory paths (ManagedEntity only). */
  children?: () => MoRef[];
}

export interface IndexContext {
  model: LabModelApi;
  session: Session | undefined;
  tasks: TaskRegistry;
  events: EventLog;
  about: DataObject;
  hostAbout: () => DataObject;
  serviceContent: DataObject;
  /** Every live session (SessionManager.sessionList). */
  sessions: () => Session[];
}

export class ObjectIndex {
  readonly objects = new Map<string, ManagedObjectView>();
  constructor(readonly inv: LabInventory) {}

  add(ref: MoRef, props: PropGetters, children?: () => MoRef[]): void {
    this.objects.set(ref.value, children ? { ref, props, children } : { ref, props });
  }

  /** The object a MoRef names, if it exists with that type (or a subtype of it). */
  get(ref: MoRef): ManagedObjectView | undefined {
    const o = this.objects.get(ref.value);
    if (!o) return undefined;
    return o.ref.type === ref.type || isManagedSubtype(o.ref.type, ref.type) ? o : undefined;
  }

  /** Entities below a container (recursive or direct), filtered by type. */
  containerView(def: ContainerViewDef): MoRef[] {
    const root = this.objects.get(def.container);
    if (!root) return [];
    const out = new Map<string, MoRef>();
    const walk = (o: ManagedObjectView) => {
      for (const c of o.children?.() ?? []) {
        if (out.has(c.value)) continue;
        if (def.types.length === 0 || def.types.some((t) => isManagedSubtype(c.type, t))) out.set(c.value, c);
        const child = this.objects.get(c.value);
        if (def.recursive && child) walk(child);
      }
    };
    walk(root);
    return [...out.values()];
  }
}

function folder(
  index: ObjectIndex,
  ref: MoRef,
  name: string,
  parent: MoRef | undefined,
  childType: string[],
  children: () => MoRef[],
): void {
  index.add(
    ref,
    {
      name: () => name,
      parent: () => parent,
      childType: () => childType,
      childEntity: children,
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    },
    children,
  );
}

/** The root folder and the folders leading to the datacenter; returns the datacenter's parent. */
function addDatacenterFolders(index: ObjectIndex, rootRef: MoRef, dcRef: MoRef, path: string): MoRef {
  const names = path.split("/").filter(Boolean);
  const refs = names.map((_, i) => mor("Folder", folderIds.dcSub(names.slice(0, i + 1).join("/"))));
  const childTypes = ["Folder", "Datacenter"];
  folder(index, rootRef, "Datacenters", undefined, childTypes, () => [refs[0] ?? dcRef]);
  names.forEach((name, i) => folder(index, refs[i]!, name, i === 0 ? rootRef : refs[i - 1], childTypes, () => [refs[i + 1] ?? dcRef]));
  return refs.at(-1) ?? rootRef;
}

/** The morefs of the inventory's objects, as every part of the index refers to them. */
function inventoryRefs(inv: LabInventory) {
  const dc = inv.datacenter;
  const dcRef = mor("Datacenter", dc.moref);
  const rootRef = mor("Folder", SERVICE.rootFolder);
  const vmFolder = mor("Folder", folderIds.vm(dc.moref));
  const hostFolder = mor("Folder", folderIds.host(dc.moref));
  const dsFolder = mor("Folder", folderIds.datastore(dc.moref));
  const netFolder = mor("Folder", folderIds.network(dc.moref));
  const clusterRef = mor("ClusterComputeResource", inv.cluster.moref);
  const rpRef = mor("ResourcePool", resourcePoolId(inv.cluster.moref));
  const vmRefs = inv.vms.map((v) => mor("VirtualMachine", v.moref));
  const hostRefs = inv.hosts.map((h) => mor("HostSystem", h.moref));
  const dsRefs = inv.datastores.map((d) => mor("Datastore", d.moref));
  const netRef = (n: LabInventory["networks"][number]) =>
    mor(n.kind === "distributed" ? "DistributedVirtualPortgroup" : "Network", n.moref);
  const netRefs = inv.networks.map(netRef);
  const dvsNames = [...new Set(inv.networks.filter((n) => n.kind === "distributed").map((n) => n.dvsName ?? "dvSwitch"))];
  const dvsRefs = dvsNames.map((n) => mor("VmwareDistributedVirtualSwitch", dvsId(n)));
  const envRef = mor("EnvironmentBrowser", envBrowserId(inv.cluster.moref));
  const vmsOn = (pred: (v: LabInventory["vms"][number]) => boolean) => inv.vms.filter(pred).map((v) => mor("VirtualMachine", v.moref));
  return {
    dc,
    dcRef,
    rootRef,
    vmFolder,
    hostFolder,
    dsFolder,
    netFolder,
    clusterRef,
    rpRef,
    vmRefs,
    hostRefs,
    dsRefs,
    netRef,
    netRefs,
    dvsNames,
    dvsRefs,
    vmsOn,
    envRef,
  };
}
type InventoryRefs = ReturnType<typeof inventoryRefs>;

export function buildIndex(ctx: IndexContext): ObjectIndex {
  const inv = ctx.model.inventory();
  const index = new ObjectIndex(inv);
  const refs = inventoryRefs(inv);
  addServiceObjects(index, ctx);
  const folderRefOf = addFoldersAndDatacenter(index, inv, refs);
  addCompute(index, inv, refs);
  addHosts(index, ctx, inv, refs);
  addDatastores(index, inv, refs);
  addNetworks(index, inv, refs);
  addDistributedSwitches(index, inv, refs);
  addVms(index, ctx, inv, refs, folderRefOf);
  return index;
}

/** ServiceInstance, SessionManager, collectors and views, managers, the caller's session objects and tasks. */
function addServiceObjects(index: ObjectIndex, ctx: IndexContext): void {
  index.add(mor("ServiceInstance", SERVICE.serviceInstance), {
    content: () => ctx.serviceContent,
    serverClock: () => new Date().toISOString(),
  });
  index.add(mor("SessionManager", SERVICE.sessionManager), {
    currentSession: () => (ctx.session ? userSession(ctx.session) : undefined),
    sessionList: () => ctx.sessions().map(userSession),
    defaultLocale: () => "en",
    supportedLocaleList: () => ["en", "de", "fr", "ja", "ko", "zh_CN", "zh_TW"],
    messageLocaleList: () => ["en"],
  });
  index.add(mor("PropertyCollector", SERVICE.propertyCollector), { filter: () => [] });
  index.add(mor("ViewManager", SERVICE.viewManager), {
    viewList: () => [...(ctx.session?.views.values() ?? [])].map((v) => mor(v.kind === "list" ? "ListView" : "ContainerView", v.moref)),
  });
  index.add(mor("SearchIndex", SERVICE.searchIndex), {});
  addManagers(index, ctx);
  addSessionObjects(index, ctx.session);
  for (const t of ctx.tasks.all()) index.add(mor("Task", t.moref), { info: () => t.info, value: () => [], availableField: () => [] });
}

/** The folder tree and the datacenter (possibly inside folders below the root folder); returns the VM folder of a path. */
function addFoldersAndDatacenter(index: ObjectIndex, inv: LabInventory, r: InventoryRefs): (path: string) => MoRef {
  const { dc, dcRef, rootRef, vmFolder, hostFolder, dsFolder, netFolder, clusterRef, dsRefs, netRefs, dvsRefs, vmsOn } = r;
  const dcParent = addDatacenterFolders(index, rootRef, dcRef, dc.folder ?? "");
  index.add(
    dcRef,
    {
      name: () => dc.name,
      parent: () => dcParent,
      vmFolder: () => vmFolder,
      hostFolder: () => hostFolder,
      datastoreFolder: () => dsFolder,
      networkFolder: () => netFolder,
      datastore: () => dsRefs,
      network: () => netRefs,
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    },
    () => [vmFolder, hostFolder, dsFolder, netFolder],
  );
  const subPaths = new Set<string>();
  for (const v of inv.vms) {
    const parts = v.folder.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) subPaths.add(parts.slice(0, i).join("/"));
  }
  const folderRefOf = (path: string) => (path === "" ? vmFolder : mor("Folder", folderIds.vmSub(dc.moref, path)));
  const parentPath = (path: string) => path.split("/").slice(0, -1).join("/");
  const vmChildren = (path: string) => () => [
    ...[...subPaths]
      .filter((p) => parentPath(p) === path)
      .sort()
      .map(folderRefOf),
    ...vmsOn((v) => v.folder.split("/").filter(Boolean).join("/") === path),
  ];
  folder(index, vmFolder, "vm", dcRef, ["Folder", "VirtualMachine", "VirtualApp"], vmChildren(""));
  for (const p of subPaths)
    folder(
      index,
      folderRefOf(p),
      p.split("/").pop()!,
      folderRefOf(parentPath(p)),
      ["Folder", "VirtualMachine", "VirtualApp"],
      vmChildren(p),
    );
  folder(index, hostFolder, "host", dcRef, ["Folder", "ComputeResource"], () => [clusterRef]);
  folder(index, dsFolder, "datastore", dcRef, ["Folder", "Datastore", "StoragePod"], () => dsRefs);
  folder(index, netFolder, "network", dcRef, ["Folder", "Network", "DistributedVirtualSwitch"], () => [...netRefs, ...dvsRefs]);
  return folderRefOf;
}

/** The cluster (with its environment and datastore browsers) and its resource pool. */
function addCompute(index: ObjectIndex, inv: LabInventory, r: InventoryRefs): void {
  const { hostFolder, clusterRef, rpRef, vmRefs, hostRefs, dsRefs, netRefs, envRef } = r;
  const totalMemory = 256 * 1024 ** 3 * inv.hosts.length;
  index.add(envRef, { datastoreBrowser: () => mor("HostDatastoreBrowser", `datastoreBrowser-${inv.cluster.moref}`) });
  index.add(mor("HostDatastoreBrowser", `datastoreBrowser-${inv.cluster.moref}`), { datastore: () => dsRefs, supportedType: () => [] });
  index.add(
    clusterRef,
    {
      name: () => inv.cluster.name,
      parent: () => hostFolder,
      resourcePool: () => rpRef,
      environmentBrowser: () => envRef,
      host: () => hostRefs,
      datastore: () => dsRefs,
      network: () => netRefs,
      summary: () =>
        data("ClusterComputeResourceSummary", {
          totalCpu: 2100 * 16 * inv.hosts.length,
          totalMemory,
          numCpuCores: 16 * inv.hosts.length,
          numCpuThreads: 32 * inv.hosts.length,
          effectiveCpu: 2000 * 16 * inv.hosts.length,
          effectiveMemory: Math.floor(totalMemory / 1024 ** 2),
          numHosts: inv.hosts.length,
          numEffectiveHosts: inv.hosts.length,
          overallStatus: "green",
          currentFailoverLevel: 0,
          numVmotions: 0,
        }),
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    },
    () => [...hostRefs, rpRef],
  );
  index.add(
    rpRef,
    {
      name: () => "Resources",
      parent: () => clusterRef,
      owner: () => clusterRef,
      vm: () => vmRefs,
      resourcePool: () => [],
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    },
    () => vmRefs,
  );
}

/** The hosts, each with its datastore browser. */
function addHosts(index: ObjectIndex, ctx: IndexContext, inv: LabInventory, r: InventoryRefs): void {
  const { clusterRef, dsRefs, netRefs, vmsOn } = r;
  for (const h of inv.hosts) {
    const hRef = mor("HostSystem", h.moref);
    index.add(mor("HostDatastoreBrowser", `datastoreBrowser-${h.moref}`), { datastore: () => dsRefs, supportedType: () => [] });
    const runtime = () =>
      data("HostRuntimeInfo", {
        connectionState: "connected",
        powerState: "poweredOn",
        inMaintenanceMode: false,
        inQuarantineMode: false,
        bootTime: "2026-01-01T00:00:00Z",
      });
    index.add(hRef, {
      name: () => h.name,
      parent: () => clusterRef,
      runtime,
      summary: () =>
        data("HostListSummary", {
          host: hRef,
          runtime: runtime(),
          hardware: hostHardware(h.moref),
          config: data("HostConfigSummary", {
            name: h.name,
            port: 443,
            product: ctx.hostAbout(),
            vmotionEnabled: true,
            faultToleranceEnabled: false,
          }),
          quickStats: data("HostListSummaryQuickStats", { overallCpuUsage: 0, overallMemoryUsage: 0, uptime: 86400 }),
          overallStatus: "green",
          rebootRequired: false,
        }),
      vm: () => vmsOn((v) => v.host === h.moref),
      datastore: () => dsRefs,
      network: () => netRefs,
      datastoreBrowser: () => mor("HostDatastoreBrowser", `datastoreBrowser-${h.moref}`),
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    });
  }
}

/** The datastores, each with its browser. */
function addDatastores(index: ObjectIndex, inv: LabInventory, r: InventoryRefs): void {
  const { dsFolder, vmsOn } = r;
  for (const d of inv.datastores) {
    const ref = mor("Datastore", d.moref);
    const url = `ds:///vmfs/volumes/${d.moref}/`;
    index.add(mor("HostDatastoreBrowser", `datastoreBrowser-${d.moref}`), { datastore: () => [ref], supportedType: () => [] });
    index.add(ref, {
      name: () => d.name,
      parent: () => dsFolder,
      summary: () =>
        data("DatastoreSummary", {
          datastore: ref,
          name: d.name,
          url,
          capacity: d.capacityBytes,
          freeSpace: d.freeBytes,
          uncommitted: 0,
          accessible: true,
          multipleHostAccess: inv.hosts.length > 1,
          type: d.type,
          maintenanceMode: "normal",
        }),
      info: () =>
        data("DatastoreInfo", {
          name: d.name,
          url,
          freeSpace: d.freeBytes,
          maxFileSize: 62 * 1024 ** 4,
          maxVirtualDiskCapacity: 62 * 1024 ** 4,
          maxMemoryFileSize: 62 * 1024 ** 4,
          timestamp: new Date().toISOString(),
        }),
      vm: () => vmsOn((v) => v.disks.some((x) => x.datastore === d.name) || v.vmPathName.startsWith(`[${d.name}]`)),
      browser: () => mor("HostDatastoreBrowser", `datastoreBrowser-${d.moref}`),
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    });
  }
}

/** Standard and distributed port groups. */
function addNetworks(index: ObjectIndex, inv: LabInventory, r: InventoryRefs): void {
  const { netFolder, hostRefs, netRef, vmsOn } = r;
  for (const n of inv.networks) {
    const ref = netRef(n);
    const common: PropGetters = {
      name: () => n.name,
      parent: () => netFolder,
      summary: () => data("NetworkSummary", { network: ref, name: n.name, accessible: true, ipPoolName: "" }),
      host: () => hostRefs,
      vm: () => vmsOn((v) => v.nics.some((x) => x.network === n.name)),
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    };
    if (n.kind === "distributed") {
      const dvs = mor("VmwareDistributedVirtualSwitch", dvsId(n.dvsName ?? "dvSwitch"));
      index.add(ref, {
        ...common,
        key: () => n.moref,
        portKeys: () => [],
        config: () =>
          data("DVPortgroupConfigInfo", {
            key: n.moref,
            name: n.name,
            numPorts: 8,
            distributedVirtualSwitch: dvs,
            type: "earlyBinding",
            autoExpand: true,
          }),
      });
    } else {
      index.add(ref, common);
    }
  }
}

/** The distributed switches the port groups belong to. */
function addDistributedSwitches(index: ObjectIndex, inv: LabInventory, r: InventoryRefs): void {
  const { netFolder, hostRefs, netRef, dvsNames } = r;
  for (const name of dvsNames) {
    const ref = mor("VmwareDistributedVirtualSwitch", dvsId(name));
    const pgs = inv.networks.filter((n) => n.kind === "distributed" && (n.dvsName ?? "dvSwitch") === name).map(netRef);
    index.add(ref, {
      name: () => name,
      parent: () => netFolder,
      uuid: () => dvsUuid(name),
      portgroup: () => pgs,
      summary: () =>
        data("DVSSummary", {
          name,
          uuid: dvsUuid(name),
          numPorts: 8 * pgs.length,
          hostMember: hostRefs,
          host: hostRefs,
          portgroupName: pgs.map((p) => inv.networks.find((n) => n.moref === p.value)?.name ?? ""),
        }),
      overallStatus: () => "green",
      configStatus: () => "green",
      ...entityDefaults(),
    });
  }
}

/** Virtual machines and their snapshots. */
function addVms(index: ObjectIndex, ctx: IndexContext, inv: LabInventory, r: InventoryRefs, folderRefOf: (path: string) => MoRef): void {
  const { rpRef, envRef } = r;
  for (const vm of inv.vms) {
    const parent = folderRefOf(vm.folder.split("/").filter(Boolean).join("/"));
    index.add(
      mor("VirtualMachine", vm.moref),
      vmGetters(ctx.model, inv, vm, {
        parent,
        resourcePool: rpRef,
        environmentBrowser: envRef,
        recentTask: () => ctx.tasks.recentFor(vm.moref),
      }),
    );
    for (const s of vm.snapshots) index.add(mor("VirtualMachineSnapshot", s.moref), snapshotGetters(inv, vm, s));
  }
}

/** EventManager and TaskManager, and the caller's history collectors over their logs. */
function addManagers(index: ObjectIndex, ctx: IndexContext): void {
  index.add(mor("EventManager", SERVICE.eventManager), {
    description: () => eventDescription(),
    latestEvent: () => ctx.events.latest(),
    maxCollector: () => 32,
  });
  const recent = () => {
    const since = Date.now() - RECENT_TASK_MS;
    return ctx.tasks
      .all()
      .filter((t) => t.info["completeTime"] === undefined || Date.parse(String(t.info["completeTime"])) >= since)
      .map((t) => mor("Task", t.moref));
  };
  const element = (key: string, label: string) => data("ElementDescription", { key, label, summary: label });
  index.add(mor("TaskManager", SERVICE.taskManager), {
    recentTask: recent,
    maxCollector: () => 32,
    description: () =>
      data("TaskDescription", {
        methodInfo: ctx.tasks.descriptions().map((d) => element(d.key, d.label)),
        state: ["queued", "running", "success", "error"].map((k) => element(k, k)),
        reason: [],
      }),
  });
  const source = { index, events: ctx.events, tasks: ctx.tasks };
  for (const h of ctx.session?.histories.values() ?? []) {
    const type = h.kind === "event" ? "EventHistoryCollector" : "TaskHistoryCollector";
    index.add(mor(type, h.moref), { filter: () => h.filter, latestPage: () => latestPage(collectorItems(source, h), h) });
  }
}

/** Objects that belong to the caller's session: collectors and their filters, views. */
function addSessionObjects(index: ObjectIndex, session: Session | undefined): void {
  for (const pc of session?.collectors.values() ?? []) {
    const filters = () => [...pc.filters.keys()].map((k) => mor("PropertyFilter", k));
    index.add(mor("PropertyCollector", pc.moref), { filter: filters });
    for (const f of pc.filters.values())
      index.add(mor("PropertyFilter", f.moref), { spec: () => f.spec, partialUpdates: () => f.partialUpdates });
  }
  for (const v of session?.views.values() ?? []) {
    if (v.kind === "list") {
      index.add(mor("ListView", v.moref), { view: () => v.objects.map((o) => index.objects.get(o)?.ref).filter((r) => r !== undefined) });
      continue;
    }
    index.add(mor("ContainerView", v.moref), {
      container: () => index.objects.get(v.container)?.ref,
      type: () => v.types,
      recursive: () => v.recursive,
      view: () => index.containerView(v),
    });
  }
}

export function userSession(s: Session): DataObject {
  return data("UserSession", {
    key: s.key,
    userName: s.userName,
    fullName: s.userName,
    loginTime: s.loginTime.toISOString(),
    lastActiveTime: s.lastActiveTime.toISOString(),
    locale: "en",
    messageLocale: "en",
    extensionSession: false,
    ipAddress: s.ipAddress,
    userAgent: s.userAgent,
    callCount: s.callCount,
  });
}

export { MoRef };
