// The PropertyCollector's core: resolve a PropertyFilterSpec (objectSet + TraversalSpec/SelectionSpec
// graph) to objects, then read the requested property paths, nested ones included.
import { AnyValue, type DataObject, MoRef, data, isDataObject } from "./codec/values";
import { faults } from "./faults";
import { type ObjectIndex, type ManagedObjectView } from "./objects/index";
import { type TypeRef, isManagedSubtype, managedProps, propertyPathType } from "./schema/schema";

export interface CollectedProperty {
  path: string;
  type: TypeRef;
  value: unknown; // undefined when unset
}

export interface CollectedObject {
  obj: MoRef;
  props: CollectedProperty[];
}

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : v === undefined ? [] : [v as T]);

/** Reads one property path of an object; undefined when any step is unset. */
export function readPath(o: ManagedObjectView, path: string): unknown {
  const [first, ...rest] = path.split(".");
  let v: unknown = o.props[first!]?.();
  for (const part of rest) {
    if (!isDataObject(v)) return undefined;
    v = v[part];
  }
  return v;
}

/** Objects selected by one filter spec, in traversal order, without duplicates. */
function selectObjects(index: ObjectIndex, spec: DataObject): MoRef[] {
  const named = new Map<string, DataObject>();
  const collectNames = (sel: DataObject[]) => {
    for (const s of sel) {
      const name = s["name"];
      if (typeof name === "string" && s._type === "TraversalSpec" && !named.has(name)) {
        named.set(name, s);
        collectNames(asArray<DataObject>(s["selectSet"]));
      } else if (s._type === "TraversalSpec") collectNames(asArray<DataObject>(s["selectSet"]));
    }
  };
  const objectSet = asArray<DataObject>(spec["objectSet"]);
  for (const os of objectSet) collectNames(asArray<DataObject>(os["selectSet"]));

  const out = new Map<string, MoRef>();
  const visited = new Set<string>();
  const traverse = (ref: MoRef, selectSet: DataObject[]) => {
    const o = index.get(ref);
    if (!o) return;
    for (const sel of selectSet) {
      const ts = sel._type === "TraversalSpec" ? sel : named.get(String(sel["name"]));
      if (!ts) throw faults.invalidArgument(`SelectionSpec names an unknown TraversalSpec '${String(sel["name"])}'`, "selectSet");
      const key = `${ref.value}|${String(ts["name"] ?? "")}|${String(ts["type"])}|${String(ts["path"])}`;
      if (visited.has(key)) continue;
      visited.add(key);
      if (!isManagedSubtype(o.ref.type, String(ts["type"]))) continue;
      const path = String(ts["path"]);
      if (!propertyPathType(o.ref.type, path)) throw faults.invalidProperty(path);
      for (const target of asArray<unknown>(readPath(o, path))) {
        if (!(target instanceof MoRef)) continue;
        if (ts["skip"] !== true && index.get(target)) out.set(target.value, index.get(target)!.ref);
        traverse(target, asArray<DataObject>(ts["selectSet"]));
      }
    }
  };
  for (const os of objectSet) {
    const ref = os["obj"];
    if (!(ref instanceof MoRef)) throw faults.invalidArgument("ObjectSpec without obj", "obj");
    const o = index.get(ref);
    if (!o) throw faults.managedObjectNotFound(ref);
    if (os["skip"] !== true) out.set(o.ref.value, o.ref);
    traverse(o.ref, asArray<DataObject>(os["selectSet"]));
  }
  return [...out.values()];
}

/** Evaluates a PropertyFilterSpec: objects with the requested properties. */
export function collect(index: ObjectIndex, spec: DataObject): CollectedObject[] {
  const propSet = asArray<DataObject>(spec["propSet"]);
  const result: CollectedObject[] = [];
  for (const ref of selectObjects(index, spec)) {
    const o = index.get(ref)!;
    const matching = propSet.filter((p) => isManagedSubtype(o.ref.type, String(p["type"])));
    if (matching.length === 0) continue;
    const paths = new Set<string>();
    for (const p of matching) {
      if (p["all"] === true) {
        for (const prop of managedProps(o.ref.type)) if (o.props[prop.name]) paths.add(prop.name);
      }
      for (const path of asArray<string>(p["pathSet"])) paths.add(path);
    }
    const props: CollectedProperty[] = [];
    for (const path of paths) {
      const type = propertyPathType(o.ref.type, path);
      if (!type) throw faults.invalidProperty(path);
      props.push({ path, type, value: readPath(o, path) });
    }
    result.push({ obj: o.ref, props });
  }
  return result;
}

/** A property value ready for an xsd:anyType slot (DynamicProperty.val, PropertyChange.val). */
export function anyValue(p: CollectedProperty): unknown {
  if (p.value instanceof MoRef || isDataObject(p.value)) return p.value;
  return new AnyValue(p.type, p.value);
}

export function objectContent(c: CollectedObject): DataObject {
  const set = c.props.filter((p) => p.value !== undefined);
  return data("ObjectContent", {
    obj: c.obj,
    propSet: set.map((p) => data("DynamicProperty", { name: p.path, val: anyValue(p) })),
  });
}
