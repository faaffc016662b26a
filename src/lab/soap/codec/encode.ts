// Writes vSphere values as SOAP XML, driven by the type table: fields in schema order, xsi:type
// wherever the runtime type differs from the declared one (pyVmomi's parser needs it), MoRefs with
// their type attribute. A field that does not exist in the 6.7.1 schema is a programming error here,
// never something sent to a client.
import { type TypeRef, arrayTypeName, dataFields, isDataSubtype, itemRef } from "../schema/schema";
import { AnyValue, MoRef, isDataObject } from "./values";

export function xmlEscape(s: string): string {
  return (
    s
      .replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"))
      // Characters XML 1.0 cannot carry at all.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
  );
}

function open(name: string, attrs: string): string {
  return `<${name}${attrs}>`;
}

function formatPrim(prim: string, value: unknown, where: string): string {
  switch (prim) {
    case "boolean":
      if (typeof value !== "boolean") throw new Error(`${where}: expected boolean`);
      return value ? "true" : "false";
    case "int":
    case "long":
    case "short":
    case "byte":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        if (typeof value === "bigint") return value.toString();
        throw new Error(`${where}: expected integer, got ${String(value)}`);
      }
      return String(value);
    case "double":
    case "float":
      if (typeof value !== "number") throw new Error(`${where}: expected number`);
      return String(value);
    case "dateTime":
      if (value instanceof Date) return value.toISOString();
      if (typeof value !== "string") throw new Error(`${where}: expected dateTime`);
      return value;
    case "base64Binary":
      if (Buffer.isBuffer(value)) return value.toString("base64");
      if (typeof value !== "string") throw new Error(`${where}: expected base64`);
      return value;
    default:
      if (typeof value !== "string") throw new Error(`${where}: expected string, got ${typeof value}`);
      return xmlEscape(value);
  }
}

/** Appends <name>value</name> for a value of the declared type; undefined/null write nothing. */
export function encodeElement(name: string, value: unknown, declared: TypeRef, out: string[], forceXsiType = false): void {
  if (value === undefined || value === null) return;
  if (declared.array) {
    if (!Array.isArray(value)) throw new Error(`${name}: expected an array`);
    const item = itemRef(declared);
    for (const v of value) encodeElement(name, v, item, out, forceXsiType);
    return;
  }
  switch (declared.kind) {
    case "mor": {
      if (!(value instanceof MoRef)) throw new Error(`${name}: expected a MoRef`);
      const xsi = forceXsiType ? ' xsi:type="ManagedObjectReference"' : "";
      out.push(`<${name} type="${xmlEscape(value.type)}"${xsi}>${xmlEscape(value.value)}</${name}>`);
      return;
    }
    case "data":
      encodeData(name, value, declared.name, out, forceXsiType);
      return;
    case "enum":
      if (typeof value !== "string") throw new Error(`${name}: expected enum string`);
      out.push(`${open(name, forceXsiType ? ` xsi:type="${declared.name}"` : "")}${xmlEscape(value)}</${name}>`);
      return;
    case "prim":
      if (declared.name === "anyType") {
        encodeAny(name, value, out);
        return;
      }
      out.push(`${open(name, forceXsiType ? ` xsi:type="xsd:${declared.name}"` : "")}${formatPrim(declared.name, value, name)}</${name}>`);
      return;
  }
}

function encodeData(name: string, value: unknown, declared: string, out: string[], forceXsiType: boolean): void {
  if (!isDataObject(value)) throw new Error(`${name}: expected a ${declared} data object`);
  const actual = value._type;
  // A task error is a LocalizedMethodFault on the wire in a MethodFault slot (pyVmomi expects that).
  const localizedFault = actual === "LocalizedMethodFault" && isDataSubtype(declared, "MethodFault");
  if (!localizedFault && !isDataSubtype(actual, declared)) throw new Error(`${name}: ${actual} is not a ${declared}`);
  const fields = dataFields(actual);
  if (!fields) throw new Error(`${name}: type ${actual} is not in the schema table`);
  const xsi = (actual !== declared && !localizedFault) || forceXsiType ? ` xsi:type="${actual}"` : "";
  out.push(open(name, xsi));
  const known = new Set<string>();
  for (const f of fields) {
    known.add(f.name);
    encodeElement(f.name, value[f.name], f.type, out);
  }
  for (const k of Object.keys(value)) {
    if (k !== "_type" && !known.has(k)) throw new Error(`${name}: field ${k} does not exist in ${actual}`);
  }
  out.push(`</${name}>`);
}

/** A value in an xsd:anyType slot: its type travels in xsi:type. */
export function encodeAny(name: string, value: unknown, out: string[]): void {
  if (value === undefined || value === null) return;
  if (value instanceof AnyValue) {
    const ref = value.ref;
    if (ref.array) {
      if (!Array.isArray(value.value)) throw new Error(`${name}: expected an array`);
      const item = itemRef(ref);
      const itemName = item.kind === "mor" ? "ManagedObjectReference" : item.name;
      out.push(`<${name} xsi:type="${arrayTypeName(item)}">`);
      // Items of polymorphic types carry their own xsi:type (e.g. VirtualDisk in ArrayOfVirtualDevice).
      for (const v of value.value) encodeElement(itemName, v, item, out, item.kind !== "prim" && item.kind !== "enum");
      out.push(`</${name}>`);
      return;
    }
    if (ref.kind === "prim" && ref.name === "anyType") return encodeAny(name, value.value, out);
    encodeElement(name, value.value, ref, out, true);
    return;
  }
  if (value instanceof MoRef) return encodeElement(name, value, { kind: "mor", name: value.type, array: false }, out, true);
  if (isDataObject(value)) return encodeData(name, value, value._type, out, true);
  if (typeof value === "string") return encodeElement(name, value, { kind: "prim", name: "string", array: false }, out, true);
  if (typeof value === "boolean") return encodeElement(name, value, { kind: "prim", name: "boolean", array: false }, out, true);
  if (typeof value === "number" && Number.isInteger(value)) {
    const big = Math.abs(value) > 2147483647;
    return encodeElement(name, value, { kind: "prim", name: big ? "long" : "int", array: false }, out, true);
  }
  throw new Error(`${name}: cannot infer the xsd type of ${typeof value} in an anyType slot`);
}
