// Lookups over the generated vSphere type table: field lists with inherited fields first (XML schema
// extension order), subtype checks, and the type of a property path such as "config.hardware.device".
import { vimSchema } from "./vim-schema.generated";
import { type FieldTuple } from "./schema-types";

export type PrimName =
  "string" | "boolean" | "int" | "long" | "short" | "byte" | "double" | "float" | "dateTime" | "base64Binary" | "anyType" | "anyURI";
const prims = new Set<string>([
  "string",
  "boolean",
  "int",
  "long",
  "short",
  "byte",
  "double",
  "float",
  "dateTime",
  "base64Binary",
  "anyType",
  "anyURI",
]);

export type TypeRef =
  | { kind: "prim"; name: PrimName; array: boolean }
  | { kind: "enum"; name: string; array: boolean }
  | { kind: "data"; name: string; array: boolean }
  | { kind: "mor"; name: string; array: boolean }; // name: expected managed type

export interface Field {
  name: string;
  type: TypeRef;
  optional: boolean;
}

const refCache = new Map<string, TypeRef>();

export function typeRef(ref: string): TypeRef {
  const cached = refCache.get(ref);
  if (cached) return cached;
  const array = ref.endsWith("[]");
  const base = array ? ref.slice(0, -2) : ref;
  let out: TypeRef;
  if (base.startsWith("MOR:")) out = { kind: "mor", name: base.slice(4), array };
  else if (prims.has(base)) out = { kind: "prim", name: base as PrimName, array };
  else if (base in vimSchema.enums) out = { kind: "enum", name: base, array };
  else out = { kind: "data", name: base, array };
  refCache.set(ref, out);
  return out;
}

export function itemRef(ref: TypeRef): TypeRef {
  return { ...ref, array: false } as TypeRef;
}

function toField([name, ref, optional]: FieldTuple): Field {
  return { name, type: typeRef(ref), optional: optional === 1 };
}

const fieldCache = new Map<string, Field[]>();

/** All fields of a data type, inherited ones first; undefined for types outside the table. */
export function dataFields(type: string): Field[] | undefined {
  const cached = fieldCache.get(type);
  if (cached) return cached;
  const def = vimSchema.data[type];
  if (!def) return undefined;
  const inherited = def.base ? (dataFields(def.base) ?? []) : [];
  const all = [...inherited, ...def.fields.map(toField)];
  fieldCache.set(type, all);
  return all;
}

export function isDataType(type: string): boolean {
  return type in vimSchema.data;
}

export function isEnumType(type: string): boolean {
  return type in vimSchema.enums;
}

/** True when data type `sub` is `sup` or derives from it. */
export function isDataSubtype(sub: string, sup: string): boolean {
  for (let t: string | null | undefined = sub; t; t = vimSchema.data[t]?.base) if (t === sup) return true;
  return false;
}

export function isManagedType(type: string): boolean {
  return type in vimSchema.managed;
}

/** True when managed type `sub` is `sup` or derives from it. */
export function isManagedSubtype(sub: string, sup: string): boolean {
  if (sup === "ManagedObject") return true;
  for (let t: string | null | undefined = sub; t; t = vimSchema.managed[t]?.base) if (t === sup) return true;
  return false;
}

const propCache = new Map<string, Field[]>();

/** All properties of a managed type, inherited first. */
export function managedProps(type: string): Field[] {
  const cached = propCache.get(type);
  if (cached) return cached;
  const def = vimSchema.managed[type];
  if (!def) return [];
  const inherited = def.base ? managedProps(def.base) : [];
  const all = [...inherited, ...def.props.map(toField)];
  propCache.set(type, all);
  return all;
}

/** The declared type of a property path on a managed type, or undefined if the path does not exist. */
export function propertyPathType(moType: string, path: string): TypeRef | undefined {
  const [first, ...rest] = path.split(".");
  const prop = managedProps(moType).find((p) => p.name === first);
  if (!prop) return undefined;
  let ref = prop.type;
  for (const part of rest) {
    if (ref.kind !== "data" || ref.array) return undefined;
    const f = dataFields(ref.name)?.find((x) => x.name === part);
    if (!f) return undefined;
    ref = f.type;
  }
  return ref;
}

export interface MethodDef {
  name: string;
  on: string;
  params: Field[];
  result: TypeRef | null;
}

export function methodDef(name: string): MethodDef | undefined {
  const def = vimSchema.methods[name];
  if (!def) return undefined;
  return { name, on: def.on, params: def.params.map(toField), result: def.result === null ? null : typeRef(def.result) };
}

/** Wire name of an array type in an xsd:anyType slot, e.g. ArrayOfVirtualDevice, ArrayOfInt. */
export function arrayTypeName(item: TypeRef): string {
  const n = item.kind === "mor" ? "ManagedObjectReference" : item.name;
  return "ArrayOf" + n.charAt(0).toUpperCase() + n.slice(1);
}
