// SOAP envelopes as vCenter writes them: responses, faults (HTTP 500 with a typed <detail>) and the
// request envelope reader.
import { type TypeRef } from "../schema/schema";
import { type SoapFault } from "../faults";
import { encodeElement, xmlEscape } from "./encode";
import { type XNode, parseXml } from "./decode";
import { faults } from "../faults";

const ENVELOPE_START =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" ' +
  'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>';
const ENVELOPE_END = "</soapenv:Body>\n</soapenv:Envelope>";

/** <MethodResponse xmlns="urn:vim25"><returnval>...</returnval></MethodResponse> */
export function responseEnvelope(method: string, result: unknown, resultType: TypeRef | null): string {
  const out: string[] = [ENVELOPE_START, `<${method}Response xmlns="urn:vim25">`];
  if (resultType && result !== undefined && result !== null) encodeElement("returnval", result, resultType, out);
  out.push(`</${method}Response>`, ENVELOPE_END);
  return out.join("");
}

export function faultEnvelope(f: SoapFault): string {
  const out: string[] = [ENVELOPE_START, "<soapenv:Fault>"];
  out.push(`<faultcode>${f.client ? "ClientFaultCode" : "ServerFaultCode"}</faultcode>`);
  out.push(`<faultstring>${xmlEscape(f.message)}</faultstring>`);
  out.push("<detail>");
  const inner: string[] = [];
  encodeElement(`${f.fault._type}Fault`, f.fault, { kind: "data", name: "MethodFault", array: false }, inner, true);
  // The detail element carries the vim25 namespace on its first tag.
  const first = inner[0] ?? "";
  inner[0] = first.replace(/^<([A-Za-z]+Fault)/, '<$1 xmlns="urn:vim25"');
  out.push(...inner, "</detail></soapenv:Fault>", ENVELOPE_END);
  return out.join("");
}

/** The method element inside Envelope/Body. */
export function requestMethod(xml: string): XNode {
  const root = parseXml(xml);
  if (root.name !== "Envelope") throw faults.invalidRequest("Not a SOAP envelope");
  const body = root.children.find((c) => c.name === "Body");
  const method = body?.children[0];
  if (!method) throw faults.invalidRequest("SOAP body holds no method call");
  return method;
}
