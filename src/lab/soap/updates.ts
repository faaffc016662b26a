// CreateFilter / WaitForUpdates(Ex) / CheckForUpdates: each filter remembers what its client was
// told; an update is the difference to the current state (enter / modify / leave per object).
// Waiting re-evaluates on every change notification and at a short interval, because the model
// also changes by itself (a guest shutting down a moment after ShutdownGuest).
import { type DataObject, MoRef, data } from "./codec/values";
import { encodeAny } from "./codec/encode";
import { anyValue, collect } from "./collector";
import { faults, morefType } from "./faults";
import { type ObjectIndex } from "./objects/index";
import { type CollectorState, type FilterState } from "./sessions";

const POLL_MS = 200;

function serialize(value: unknown): string {
  const out: string[] = [];
  encodeAny("v", value, out);
  return out.join("");
}

/** What a filter's client was told: object -> property path -> serialized value. */
type FilterSnapshot = Map<string, Map<string, string>>;
/** Per filter moref, at one update version. */
export type UpdateSnapshot = Map<string, FilterSnapshot>;

/** Versions a collector can still wait from (vCenter also rejects versions it no longer knows). */
const KEEP_VERSIONS = 16;

function filterUpdate(
  index: ObjectIndex,
  f: FilterState,
  before: FilterSnapshot,
  filter: unknown,
): { now: FilterSnapshot; update: DataObject | undefined } {
  const now: FilterSnapshot = new Map();
  const objectSet: DataObject[] = [];
  for (const c of collect(index, f.spec)) {
    const was = before.get(c.obj.value);
    const props = new Map<string, string>();
    const changeSet: DataObject[] = [];
    for (const p of c.props) {
      const val = p.value === undefined ? undefined : anyValue(p);
      const xml = val === undefined ? "" : serialize(val);
      props.set(p.path, xml);
      if (was ? was.get(p.path) === xml : val === undefined) continue;
      changeSet.push(data("PropertyChange", { name: p.path, op: "assign", val }));
    }
    now.set(c.obj.value, props);
    if (!was || changeSet.length > 0) objectSet.push(data("ObjectUpdate", { kind: was ? "modify" : "enter", obj: c.obj, changeSet }));
  }
  for (const key of before.keys()) {
    if (now.has(key)) continue;
    // The object is gone (task pruned, snapshot removed): vCenter reports it as leaving.
    const obj = index.objects.get(key)?.ref ?? new MoRef(morefType(key), key);
    objectSet.push(data("ObjectUpdate", { kind: "leave", obj }));
  }
  return { now, update: objectSet.length === 0 ? undefined : data("PropertyFilterUpdate", { filter, objectSet }) };
}

export interface WaitArgs {
  version: string | undefined;
  maxWaitSeconds: number | undefined; // undefined = wait until something changes
  signal: AbortSignal;
}

/** Finds the next UpdateSet of one property collector, waiting as long as the call allows. */
export async function waitForUpdates(
  collector: CollectorState,
  buildIndex: () => ObjectIndex,
  changed: { wait(ms: number, signal: AbortSignal): Promise<void> },
  args: WaitArgs,
  filterRef: (moref: string) => unknown,
): Promise<DataObject | undefined> {
  const version = args.version ?? "";
  // Updates are computed against what the client knew at `version`, so two waiters on one collector
  // (pyVim's WaitForTask beside an application's own loop) each see every change.
  const base: UpdateSnapshot | undefined = version === "" ? new Map() : collector.updateHistory.get(version);
  if (!base) throw faults.invalidCollectorVersion();
  const deadline = args.maxWaitSeconds === undefined ? Infinity : Date.now() + args.maxWaitSeconds * 1000;
  for (;;) {
    const index = buildIndex();
    const now: UpdateSnapshot = new Map();
    const filterSet: DataObject[] = [];
    for (const f of collector.filters.values()) {
      const r = filterUpdate(index, f, base.get(f.moref) ?? new Map(), filterRef(f.moref));
      now.set(f.moref, r.now);
      if (r.update) filterSet.push(r.update);
    }
    if (filterSet.length > 0) {
      const next = String(++collector.updateVersion);
      collector.updateHistory.set(next, now);
      for (const k of collector.updateHistory.keys()) {
        if (collector.updateHistory.size <= KEEP_VERSIONS) break;
        collector.updateHistory.delete(k);
      }
      return data("UpdateSet", { version: next, filterSet });
    }
    const left = deadline - Date.now();
    if (left <= 0 || args.signal.aborted) return undefined;
    await changed.wait(Math.min(POLL_MS, left), args.signal);
    if (args.signal.aborted) throw faults.requestCanceled();
  }
}
