// Morefs of the objects the lab shows besides the model's own (service objects, folders, resource
// pool, distributed switch). Derived deterministically so they survive restarts.
import { createHash } from "node:crypto";
import { type DataObject, data } from "../codec/values";

export const SERVICE = {
  serviceInstance: "ServiceInstance",
  sessionManager: "SessionManager",
  propertyCollector: "propertyCollector",
  viewManager: "ViewManager",
  searchIndex: "SearchIndex",
  taskManager: "TaskManager",
  eventManager: "EventManager",
  rootFolder: "group-d1",
} as const;

function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A stable number for a name, away from the small numbers the model uses. */
export function stableId(kind: string, name: string): number {
  return 100000 + (fnv(`${kind}:${name}`) % 800000);
}

export const folderIds = {
  vm: (dc: string) => `group-v${stableId("vmFolder", dc)}`,
  host: (dc: string) => `group-h${stableId("hostFolder", dc)}`,
  datastore: (dc: string) => `group-s${stableId("datastoreFolder", dc)}`,
  network: (dc: string) => `group-n${stableId("networkFolder", dc)}`,
  vmSub: (dc: string, path: string) => `group-v${stableId("vmSub:" + dc, path)}`,
  /** A folder above the datacenter, by its path below the root folder. */
  dcSub: (path: string) => `group-d${stableId("dcSub", path)}`,
};

export const envBrowserId = (cluster: string) => `envbrowser-${stableId("env", cluster)}`;
export const resourcePoolId = (cluster: string) => `resgroup-${stableId("rp", cluster)}`;
export const dvsId = (dvsName: string) => `dvs-${stableId("dvs", dvsName)}`;

/** vCenter's DVS uuid format: "50 2a ... 11-b5 ..." (16 bytes as hex pairs). */
export function dvsUuid(dvsName: string): string {
  const h = createHash("sha1").update(`dvs:${dvsName}`).digest();
  const pairs = [...h.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0"));
  pairs[0] = "50";
  return `${pairs.slice(0, 8).join(" ")}-${pairs.slice(8).join(" ")}`;
}

/** HostHardwareSummary of a lab host: a typical two-socket server, stable per host. */
export function hostHardware(host: string): DataObject {
  const h = createHash("sha1").update(`host:${host}`).digest("hex");
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return data("HostHardwareSummary", {
    vendor: "Dell Inc.",
    model: "PowerEdge R640",
    uuid,
    memorySize: 256 * 1024 ** 3,
    cpuModel: "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz",
    cpuMhz: 2100,
    numCpuPkgs: 2,
    numCpuCores: 16,
    numCpuThreads: 32,
    numNics: 4,
    numHBAs: 3,
  });
}

/** The datacenter's inventory path as /folder's dcPath names it: "Folder/Sub/dc" (no leading slash). */
export function datacenterPath(dc: { name: string; folder?: string }): string {
  return [...(dc.folder ?? "").split("/").filter(Boolean), dc.name].join("/");
}
