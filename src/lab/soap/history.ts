// EventManager, TaskManager and their history collectors (CreateCollectorForEvents/-Tasks): a filter
// over the event or task log, `latestPage` (the newest pageSize items, newest first, as vCenter
// shows it), and a read position for ReadNext/ReadPrevious, Rewind and Reset.
import { type DataObject, MoRef, mor } from "./codec/values";
import { type CallContext, type Handler, requireSession, sessionMoref } from "./call";
import { faults } from "./faults";
import { type ObjectIndex } from "./objects/index";
import { SERVICE } from "./objects/ids";
import { type HistoryCollectorState } from "./sessions";
import { type EventLog } from "./events";
import { type TaskRegistry } from "./tasks";

/** What the collectors read: the inventory (for entity scopes), the event log and the tasks. */
export interface HistorySource {
  index: ObjectIndex;
  events: EventLog;
  tasks: TaskRegistry;
}

const source = (c: CallContext): HistorySource => ({ index: c.index, events: c.svc.events, tasks: c.svc.tasks });

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 1000;
/** Most items QueryEvents returns (vCenter's limit too). */
const QUERY_LIMIT = 1000;
/** Completed tasks stay in TaskManager.recentTask this long, as in vCenter's recent tasks pane. */
export const RECENT_TASK_MS = 10 * 60 * 1000;

/** Entities an entity filter matches: the entity alone, or with everything below it. */
function entityScope(index: ObjectIndex, spec: DataObject | undefined): Set<string> | undefined {
  const entity = spec?.["entity"];
  if (!(entity instanceof MoRef)) return undefined;
  const recursion = String(spec?.["recursion"] ?? "all");
  const scope = new Set<string>();
  if (recursion !== "children") scope.add(entity.value);
  if (recursion === "all" || recursion === "children") {
    const below = index.containerView({ kind: "container", moref: "", container: entity.value, types: [], recursive: recursion === "all" });
    for (const r of below) scope.add(r.value);
  }
  return scope;
}

function inTime(when: unknown, spec: DataObject | undefined): boolean {
  if (!spec) return true;
  const t = Date.parse(String(when));
  const begin = spec["beginTime"] === undefined ? -Infinity : Date.parse(String(spec["beginTime"]));
  const end = spec["endTime"] === undefined ? Infinity : Date.parse(String(spec["endTime"]));
  return t >= begin && t <= end;
}

function byUser(userName: unknown, spec: DataObject | undefined): boolean {
  const list = spec?.["userList"] as string[] | undefined;
  return !list || list.length === 0 || list.includes(String(userName));
}

/** Events matching an EventFilterSpec, oldest first. */
export function matchingEvents(c: HistorySource, filter: DataObject): DataObject[] {
  const scope = entityScope(c.index, filter["entity"] as DataObject | undefined);
  const types = [...((filter["type"] as string[] | undefined) ?? []), ...((filter["eventTypeId"] as string[] | undefined) ?? [])];
  const chain = filter["eventChainId"];
  return (
    c.events
      .all()
      // Events of no entity (logins) belong to the root folder, as vCenter files them.
      .filter((e) => !scope || e.entities.some((x) => scope.has(x)) || (e.entities.length === 0 && scope.has(SERVICE.rootFolder)))
      .filter((e) => types.length === 0 || types.includes(e.typeId) || types.includes(e.event._type))
      .filter((e) => chain === undefined || e.event["chainId"] === chain)
      .filter((e) => inTime(e.event["createdTime"], filter["time"] as DataObject | undefined))
      .filter((e) => byUser(e.event["userName"], filter["userName"] as DataObject | undefined))
      .map((e) => e.event)
  );
}

/** Tasks matching a TaskFilterSpec, oldest first. */
export function matchingTasks(c: HistorySource, filter: DataObject): DataObject[] {
  const scope = entityScope(c.index, filter["entity"] as DataObject | undefined);
  const states = filter["state"] as string[] | undefined;
  const time = filter["time"] as DataObject | undefined;
  return c.tasks
    .all()
    .map((t) => t.info)
    .filter((i) => !scope || scope.has((i["entity"] as MoRef | undefined)?.value ?? ""))
    .filter((i) => !states || states.length === 0 || states.includes(String(i["state"])))
    .filter((i) => inTime(i[String(time?.["timeType"] ?? "queuedTime") === "completedTime" ? "completeTime" : "queueTime"], time))
    .filter((i) => byUser((i["reason"] as DataObject | undefined)?.["userName"], filter["userName"] as DataObject | undefined));
}

/** The items a collector currently sees, oldest first. */
export function collectorItems(c: HistorySource, h: HistoryCollectorState): DataObject[] {
  return h.kind === "event" ? matchingEvents(c, h.filter) : matchingTasks(c, h.filter);
}

/** latestPage: the newest pageSize items, newest first. */
export function latestPage(items: DataObject[], h: HistoryCollectorState): DataObject[] {
  return items.slice(Math.max(0, items.length - h.pageSize)).reverse();
}

function historyOf(c: CallContext): HistoryCollectorState {
  const h = requireSession(c).histories.get(c.self.value);
  if (!h) throw faults.managedObjectNotFound(c.self);
  return h;
}

function createCollector(c: CallContext, kind: "event" | "task", filter: DataObject): MoRef {
  const s = requireSession(c);
  const moref = sessionMoref(s);
  const h: HistoryCollectorState = { moref, kind, filter, pageSize: DEFAULT_PAGE_SIZE, cursor: undefined };
  s.histories.set(moref, h);
  return mor(kind === "event" ? "EventHistoryCollector" : "TaskHistoryCollector", moref);
}

/** Reads from the collector's position: "next" moves toward newer items, "previous" toward older. */
function read(c: CallContext, direction: "next" | "previous", maxCount: unknown): DataObject[] {
  const h = historyOf(c);
  const n = Number(maxCount);
  if (!Number.isInteger(n) || n < 1) throw faults.invalidArgument("maxCount must be a positive integer", "maxCount");
  const items = collectorItems(source(c), h);
  // The scrollable view starts just before the latest page (ResetCollector's position).
  const pos = Math.min(h.cursor ?? Math.max(0, items.length - h.pageSize), items.length);
  if (direction === "next") {
    const out = items.slice(pos, pos + n);
    h.cursor = pos + out.length;
    return out;
  }
  const from = Math.max(0, pos - n);
  h.cursor = from;
  return items.slice(from, pos).reverse();
}

export const historyMethods: Record<string, Handler> = {
  QueryEvents: (c, a) =>
    matchingEvents(source(c), a["filter"] as DataObject)
      .reverse()
      .slice(0, QUERY_LIMIT),
  CreateCollectorForEvents: (c, a) => createCollector(c, "event", a["filter"] as DataObject),
  CreateCollectorForTasks: (c, a) => createCollector(c, "task", a["filter"] as DataObject),
  SetCollectorPageSize: (c, a) => {
    const n = Number(a["maxCount"]);
    if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE)
      throw faults.invalidArgument(`maxCount must be 0..${MAX_PAGE_SIZE}`, "maxCount");
    historyOf(c).pageSize = n;
  },
  ResetCollector: (c) => {
    historyOf(c).cursor = undefined;
  },
  RewindCollector: (c) => {
    historyOf(c).cursor = 0;
  },
  DestroyCollector: (c) => {
    requireSession(c).histories.delete(historyOf(c).moref);
  },
  ReadNextEvents: (c, a) => read(c, "next", a["maxCount"]),
  ReadPreviousEvents: (c, a) => read(c, "previous", a["maxCount"]),
  ReadNextTasks: (c, a) => read(c, "next", a["maxCount"]),
  ReadPreviousTasks: (c, a) => read(c, "previous", a["maxCount"]),
};
