// JavaScript shapes of vSphere values: data objects carry their wsdl type in `_type`, managed object
// references are MoRef, and values in xsd:anyType slots that are not self-describing are wrapped in
// AnyValue with their declared type (so the encoder can write xsi:type, e.g. ArrayOfVirtualDevice).
import { type TypeRef } from "../schema/schema";

export class MoRef {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}
  toString(): string {
    return `${this.type}:${this.value}`;
  }
}

export interface DataObject {
  _type: string;
  [field: string]: unknown;
}

export class AnyValue {
  constructor(
    readonly ref: TypeRef,
    readonly value: unknown,
  ) {}
}

/** A data object of the given wsdl type; fields left undefined are omitted on the wire. */
export function data(type: string, fields: Record<string, unknown> = {}): DataObject {
  const out: DataObject = { _type: type };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

export function isDataObject(v: unknown): v is DataObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { _type?: unknown })._type === "string";
}

export function mor(type: string, value: string): MoRef {
  return new MoRef(type, value);
}
