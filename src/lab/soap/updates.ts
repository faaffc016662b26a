// CreateFilter / WaitForUpdates(Ex) / CheckForUpdates: each filter remembers what its client was
// told; an update is the difference to the current state (enter / modify / leave per object).
// Waiting re-evaluates on every change notification and at a short interval, because the model
// also changes by itself (a guest shutting down a moment after ShutdownGuest).
import { type DataObject, data } from "./codec/values";
import { encodeAny } from "./codec/encode";
import { anyValue, collect } from "./collector";
import { faults } from "./faults";
import { type ObjectIndex } from "./objects/index";
import { type FilterState, type Session } from "./sessions";

const POLL_MS = 200;

function serialize(value: unknown): string {
  const out: string[] = [];
  encodeAny("v", value, out);
  return out.join("");
}

function filterUpdate(index: ObjectIndex, f: FilterState, filter: unknown): DataObject | undefined {
  const current = new Map<string, { obj: DataObject["obj"]; props: Map<string, { xml: string; val: unknown }> }>();
  for (const c of collect(index, f.spec)) {
    const props = new Map<string, { xml: string; val: unknown }>();
    for (const p of c.props) {
      const val = p.value === undefined ? undefined : anyValue(p);
      props.set(p.path, { xml: val === undefined ? "" : serialize(val), val });
    }
    current.set(c.obj.value, { obj: c.obj, props });
  }
  const objectSet: DataObject[] = [];
  for (const [key, cur] of current) {
    const before = f.reported.get(key);
    const changeSet: DataObject[] = [];
    for (const [path, p] of cur.props) {
      if (before && before.get(path) === p.xml) continue;
      if (!before && p.val === undefined) continue;
      changeSet.push(data("PropertyChange", { name: path, op: "assign", val: p.val }));
    }
    if (!before || changeSet.length > 0) objectSet.push(data("ObjectUpdate", { kind: before ? "modify" : "enter", obj: cur.obj, changeSet }));
    f.reported.set(key, new Map([...cur.props].map(([path, p]) => [path, p.xml])));
  }
  for (const [key] of f.reported) {
    if (current.has(key)) continue;
    const obj = index.objects.get(key)?.ref;
    f.reported.delete(key);
    // The object is gone (task pruned, snapshot removed): vCenter reports it as leaving.
    if (obj) objectSet.push(data("ObjectUpdate", { kind: "leave", obj }));
  }
  if (objectSet.length === 0) return undefined;
  return data("PropertyFilterUpdate", { filter, objectSet });
}

export interface WaitArgs {
  version: string | undefined;
  maxWaitSeconds: number | undefined; // undefined = wait until something changes
  signal: AbortSignal;
}

/** Finds the next UpdateSet for a session, waiting as long as the call allows. */
export async function waitForUpdates(
  session: Session,
  buildIndex: () => ObjectIndex,
  changed: { wait(ms: number, signal: AbortSignal): Promise<void> },
  args: WaitArgs,
  filterRef: (moref: string) => unknown,
): Promise<DataObject | undefined> {
  const version = args.version ?? "";
  if (version === "") {
    for (const f of session.filters.values()) f.reported.clear();
  } else if (!/^\d+$/.test(version) || Number(version) > session.updateVersion) {
    throw faults.invalidCollectorVersion();
  }
  const deadline = args.maxWaitSeconds === undefined ? Infinity : Date.now() + args.maxWaitSeconds * 1000;
  for (;;) {
    const index = buildIndex();
    const filterSet: DataObject[] = [];
    for (const f of session.filters.values()) {
      const u = filterUpdate(index, f, filterRef(f.moref));
      if (u) filterSet.push(u);
    }
    if (filterSet.length > 0) {
      session.updateVersion++;
      return data("UpdateSet", { version: String(session.updateVersion), filterSet });
    }
    const left = deadline - Date.now();
    if (left <= 0 || args.signal.aborted) return undefined;
    await changed.wait(Math.min(POLL_MS, left), args.signal);
    if (args.signal.aborted) throw faults.requestCanceled();
  }
}
