// Morefs of the objects the lab shows besides the model's own (service objects, folders, resource
// pool, distributed switch). Derived deterministically so they survive restarts.
import { createHash } from "node:crypto";

export const SERVICE = {
  serviceInstance: "ServiceInstance",
  sessionManager: "SessionManager",
  propertyCollector: "propertyCollector",
  viewManager: "ViewManager",
  searchIndex: "SearchIndex",
  taskManager: "TaskManager",
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
};

export const resourcePoolId = (cluster: string) => `resgroup-${stableId("rp", cluster)}`;
export const dvsId = (dvsName: string) => `dvs-${stableId("dvs", dvsName)}`;

/** vCenter's DVS uuid format: "50 2a ... 11-b5 ..." (16 bytes as hex pairs). */
export function dvsUuid(dvsName: string): string {
  const h = createHash("sha1").update(`dvs:${dvsName}`).digest();
  const pairs = [...h.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0"));
  pairs[0] = "50";
  return `${pairs.slice(0, 8).join(" ")}-${pairs.slice(8).join(" ")}`;
}
