// PropertyCollector and ViewManager methods: the shared collector and private ones
// (CreatePropertyCollector), each with its own filters and update versions, as on vCenter; container
// and list views.
import { randomUUID } from "node:crypto";
import { type DataObject, MoRef, data, mor } from "./codec/values";
import { type CallContext, type Handler, requireSession, sessionMoref } from "./call";
import { collect, objectContent } from "./collector";
import { faults } from "./faults";
import { isManagedType } from "./schema/schema";
import { type CollectorState, type Session, newCollector } from "./sessions";
import { waitForUpdates } from "./updates";

const DEFAULT_PAGE = 100;
const MAX_OPEN_PAGES = 64;
/** Private collectors one session may hold (govc and pyVmomi create one per wait). */
const MAX_COLLECTORS = 256;

function page(session: Session | undefined, objects: DataObject[], maxObjects: number): DataObject | undefined {
  if (objects.length === 0) return undefined;
  const size = maxObjects > 0 ? Math.min(maxObjects, DEFAULT_PAGE) : DEFAULT_PAGE;
  const first = objects.slice(0, size);
  const rest = objects.slice(size);
  let token: string | undefined;
  if (rest.length > 0 && session) {
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

/** The collector a call is made on (the shared one or a private one of this session). */
function collectorOf(c: CallContext): CollectorState {
  const pc = requireSession(c).collectors.get(c.self.value);
  if (!pc) throw faults.managedObjectNotFound(c.self);
  return pc;
}

async function waitFor(c: CallContext, version: string | undefined, maxWaitSeconds: number | undefined): Promise<unknown> {
  const s = requireSession(c);
  const pc = collectorOf(c);
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  c.signal.addEventListener("abort", onAbort);
  pc.waiters.add(abort);
  try {
    return await waitForUpdates(
      pc,
      () => c.svc.buildIndex(s),
      c.svc.changed,
      { version, maxWaitSeconds, signal: abort.signal },
      (m) => mor("PropertyFilter", m),
    );
  } finally {
    s.lastActiveTime = new Date(); // a long wait is activity, not idleness
    pc.waiters.delete(abort);
    c.signal.removeEventListener("abort", onAbort);
  }
}

function listObjects(c: CallContext, refs: unknown): string[] {
  const out: string[] = [];
  for (const r of (refs as MoRef[] | undefined) ?? []) {
    // vCenter ignores objects that do not exist (tasks pruned meanwhile), as ResetListView documents.
    if (r instanceof MoRef && c.index.get(r)) out.push(r.value);
  }
  return out;
}

function listView(c: CallContext) {
  const v = requireSession(c).views.get(c.self.value);
  if (!v || v.kind !== "list") throw faults.managedObjectNotFound(c.self);
  return v;
}

export const collectorMethods: Record<string, Handler> = {
  // Without a session only SessionManager.currentSession can be read (the service checks that).
  RetrievePropertiesEx: (c, a) => {
    const s = c.session;
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
    return retrieveAll(c, a["specSet"]);
  },

  CreatePropertyCollector: (c) => {
    const s = requireSession(c);
    if (s.collectors.size > MAX_COLLECTORS) throw faults.invalidState("Too many property collectors in this session; destroy unused ones.");
    const moref = sessionMoref(s);
    s.collectors.set(moref, newCollector(moref));
    return mor("PropertyCollector", moref);
  },
  DestroyPropertyCollector: (c) => {
    const s = requireSession(c);
    const pc = collectorOf(c);
    if (pc.moref === "propertyCollector") throw faults.invalidArgument("The shared property collector cannot be destroyed", "_this");
    for (const w of pc.waiters) w.abort();
    s.collectors.delete(pc.moref);
  },
  CreateFilter: (c, a) => {
    const pc = collectorOf(c);
    const spec = a["spec"] as DataObject;
    collect(c.index, spec); // refuses bad specs now, as vCenter does
    const moref = sessionMoref(requireSession(c));
    pc.filters.set(moref, { moref, collector: pc.moref, spec, partialUpdates: a["partialUpdates"] === true });
    return mor("PropertyFilter", moref);
  },
  DestroyPropertyFilter: (c) => {
    for (const pc of requireSession(c).collectors.values()) pc.filters.delete(c.self.value);
  },
  WaitForUpdates: (c, a) => waitFor(c, a["version"] as string | undefined, undefined),
  WaitForUpdatesEx: (c, a) => {
    const opts = a["options"] as DataObject | undefined;
    const max = opts?.["maxWaitSeconds"];
    return waitFor(c, a["version"] as string | undefined, typeof max === "number" ? max : undefined);
  },
  CheckForUpdates: (c, a) => waitFor(c, a["version"] as string | undefined, 0),
  CancelWaitForUpdates: (c) => {
    for (const w of collectorOf(c).waiters) w.abort();
  },

  CreateContainerView: (c, a) => {
    const s = requireSession(c);
    const container = a["container"] as MoRef;
    if (!c.index.get(container)) throw faults.managedObjectNotFound(container);
    const types = (a["type"] as string[] | undefined) ?? [];
    for (const t of types)
      if (!isManagedType(t) && !["StoragePod", "VirtualApp", "ComputeResource"].includes(t))
        throw faults.invalidArgument(`Unknown type ${t}`, "type");
    const moref = sessionMoref(s);
    s.views.set(moref, { kind: "container", moref, container: container.value, types, recursive: a["recursive"] === true });
    return mor("ContainerView", moref);
  },
  CreateListView: (c, a) => {
    const s = requireSession(c);
    const moref = sessionMoref(s);
    s.views.set(moref, { kind: "list", moref, objects: listObjects(c, a["obj"]) });
    return mor("ListView", moref);
  },
  ModifyListView: (c, a) => {
    const v = listView(c);
    const remove = new Set(((a["remove"] as MoRef[] | undefined) ?? []).map((r) => r.value));
    const add = listObjects(c, a["add"]);
    v.objects = [...new Set([...v.objects.filter((o) => !remove.has(o)), ...add])];
    // Objects that could not be added are returned, as vCenter does.
    return ((a["add"] as MoRef[] | undefined) ?? []).filter((r) => !add.includes(r.value));
  },
  ResetListView: (c, a) => {
    const v = listView(c);
    v.objects = listObjects(c, a["obj"]);
    return ((a["obj"] as MoRef[] | undefined) ?? []).filter((r) => !v.objects.includes(r.value));
  },
  DestroyView: (c) => {
    requireSession(c).views.delete(c.self.value);
  },
};
