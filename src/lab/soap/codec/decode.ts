// Reads SOAP requests: XML text -> a small element tree -> typed values via the type table.
// Anything the schema does not allow is an InvalidRequest fault, never an exception that escapes.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { type Field, type TypeRef, dataFields, isDataSubtype, isDataType, itemRef, typeRef } from "../schema/schema";
import { faults } from "../faults";
import { type DataObject, MoRef } from "./values";

export interface XNode {
  name: string; // local name, prefix removed
  attrs: Record<string, string>; // raw attribute names (xsi:type keeps its prefix)
  children: XNode[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
});

const localName = (n: string) => n.slice(n.indexOf(":") + 1);

type Raw = Record<string, unknown>;

function toNode(raw: Raw): XNode | undefined {
  const key = Object.keys(raw).find((k) => k !== ":@");
  if (key === undefined || key === "#text") return undefined;
  const attrs = (raw[":@"] as Record<string, string> | undefined) ?? {};
  const node: XNode = { name: localName(key), attrs, children: [], text: "" };
  const kids = raw[key];
  if (Array.isArray(kids)) {
    for (const k of kids as Raw[]) {
      if ("#text" in k) node.text += String(k["#text"]);
      else {
        const child = toNode(k);
        if (child) node.children.push(child);
      }
    }
  }
  return node;
}

/** Parses an XML document into its root element; malformed XML is an InvalidRequest fault. */
export function parseXml(xml: string): XNode {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw faults.invalidRequest(`Malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  if (/<!DOCTYPE/i.test(xml)) throw faults.invalidRequest("DOCTYPE is not allowed");
  let doc: Raw[];
  try {
    doc = parser.parse(xml) as Raw[];
  } catch (e) {
    // e.g. nesting deeper than the parser allows: the request's fault, not the server's
    throw faults.invalidRequest(`Unparseable XML: ${(e as Error).message}`);
  }
  for (const raw of doc) {
    const n = toNode(raw);
    if (n) return n;
  }
  throw faults.invalidRequest("Empty XML document");
}

export function xsiType(node: XNode): string | undefined {
  for (const [k, v] of Object.entries(node.attrs)) {
    if (k !== "type" && localName(k) === "type" && k.includes(":")) return localName(v);
  }
  return undefined;
}

function parseInteger(text: string, where: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw faults.invalidRequest(`${where}: '${t}' is not an integer`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw faults.invalidRequest(`${where}: '${t}' is out of range`);
  return n;
}

function decodePrim(name: string, text: string, where: string): unknown {
  switch (name) {
    case "int":
    case "long":
    case "short":
    case "byte":
      return parseInteger(text, where);
    case "boolean": {
      const t = text.trim();
      if (t === "true" || t === "1") return true;
      if (t === "false" || t === "0") return false;
      throw faults.invalidRequest(`${where}: '${t}' is not a boolean`);
    }
    case "double":
    case "float": {
      const n = Number(text.trim());
      if (Number.isNaN(n)) throw faults.invalidRequest(`${where}: '${text}' is not a number`);
      return n;
    }
    default:
      return text;
  }
}

/** Decodes one element of the declared type (not an array: the caller collects repeated elements). */
export function decodeValue(node: XNode, declared: TypeRef): unknown {
  const xsi = xsiType(node);
  if (declared.kind === "mor" || xsi === "ManagedObjectReference") {
    const type = node.attrs["type"];
    if (!type) throw faults.invalidRequest(`${node.name}: managed object reference without a type attribute`);
    return new MoRef(type, node.text.trim());
  }
  if (declared.kind === "enum") return node.text.trim();
  if (declared.kind === "prim" && declared.name !== "anyType") return decodePrim(declared.name, node.text, node.name);
  if (declared.kind === "prim") {
    // anyType: the value says what it is.
    if (!xsi) return node.text;
    if (xsi.startsWith("ArrayOf")) {
      const item = typeRef(xsi.slice(7).replace(/^./, (c) => c.toLowerCase()));
      const asData = isDataType(xsi.slice(7)) ? typeRef(xsi.slice(7)) : item;
      return node.children.map((c) => decodeValue(c, itemRef(asData)));
    }
    if (isDataType(xsi)) return decodeData(node, xsi);
    return decodePrim(xsi, node.text, node.name);
  }
  const actual = xsi ?? declared.name;
  if (!isDataType(actual)) throw faults.invalidRequest(`${node.name}: unknown type ${actual}`);
  if (!isDataSubtype(actual, declared.name)) throw faults.invalidRequest(`${node.name}: ${actual} is not a ${declared.name}`);
  return decodeData(node, actual);
}

function decodeData(node: XNode, type: string): DataObject {
  const fields = dataFields(type) ?? [];
  const obj: DataObject = { _type: type };
  for (const child of node.children) {
    const f = fields.find((x) => x.name === child.name);
    if (!f) throw faults.invalidRequest(`Unexpected element ${child.name} in ${type}`);
    // A valid element whose type the lab does not model (e.g. a device's storageIOAllocation that a
    // client sends back unchanged): accept it and leave it out.
    if (f.type.kind === "data" && !isDataType(xsiType(child) ?? f.type.name)) continue;
    setField(obj, f, decodeValue(child, itemRef(f.type)));
  }
  return obj;
}

function setField(obj: Record<string, unknown>, f: Field, v: unknown): void {
  if (f.type.array) {
    const arr = (obj[f.name] as unknown[] | undefined) ?? [];
    arr.push(v);
    obj[f.name] = arr;
  } else {
    obj[f.name] = v;
  }
}

/** Decodes a method element's children against the parameter list; `_this` is returned apart. */
export function decodeParams(method: XNode, params: Field[]): { self: MoRef; args: Record<string, unknown> } {
  let self: MoRef | undefined;
  const args: Record<string, unknown> = {};
  for (const child of method.children) {
    if (child.name === "_this") {
      self = decodeValue(child, { kind: "mor", name: "ManagedObject", array: false }) as MoRef;
      continue;
    }
    const p = params.find((x) => x.name === child.name);
    if (!p) throw faults.invalidRequest(`Unexpected element ${child.name} in ${method.name}`);
    setField(args, p, decodeValue(child, itemRef(p.type)));
  }
  if (!self) throw faults.invalidRequest(`${method.name}: missing _this`);
  for (const p of params) {
    if (!p.optional && args[p.name] === undefined) {
      // Arrays may legitimately be empty on the wire; scalars may not be missing.
      if (p.type.array) args[p.name] = [];
      else throw faults.invalidRequest(`${method.name}: missing required parameter ${p.name}`);
    }
  }
  return { self, args };
}
