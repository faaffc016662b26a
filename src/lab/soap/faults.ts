// vSphere faults as the SOAP layer raises them. A SoapFault carries the typed fault data object
// (InvalidArgument, NotAuthenticated, ...) that goes into <detail> or into TaskInfo.error.
import { type DataObject, type MoRef, data, mor } from "./codec/values";
import { dataFields } from "./schema/schema";
import { LabFault } from "../model/types";

export class SoapFault extends Error {
  constructor(
    readonly fault: DataObject,
    message: string,
    /** Client faults (unparseable requests) use faultcode ClientFaultCode. */
    readonly client = false,
  ) {
    super(message);
  }
}

export function soapFault(type: string, message: string, fields: Record<string, unknown> = {}, client = false): SoapFault {
  return new SoapFault(data(type, fields), message, client);
}

export const faults = {
  invalidArgument: (message: string, invalidProperty?: string) => soapFault("InvalidArgument", message, { invalidProperty }),
  invalidRequest: (message: string) => soapFault("InvalidRequest", message, {}, true),
  invalidProperty: (name: string) => soapFault("InvalidProperty", `Invalid property: ${name}`, { name }),
  notAuthenticated: (object: MoRef) =>
    soapFault("NotAuthenticated", "The session is not authenticated.", { object, privilegeId: "System.View" }),
  invalidLogin: () => soapFault("InvalidLogin", "Cannot complete login due to an incorrect user name or password."),
  methodNotFound: (receiver: MoRef, method: string) =>
    soapFault("MethodNotFound", `${receiver.type}:${receiver.value} does not implement: ${method}`, { receiver, method }),
  managedObjectNotFound: (obj: MoRef) =>
    soapFault(
      "ManagedObjectNotFound",
      `The object '${obj.type}:${obj.value}' has already been deleted or has not been completely created`,
      { obj },
    ),
  invalidState: (message: string) => soapFault("InvalidState", message),
  systemError: (message: string) => soapFault("SystemError", message, { reason: message }),
  requestCanceled: () => soapFault("RequestCanceled", "The request was canceled."),
  invalidCollectorVersion: () => soapFault("InvalidCollectorVersion", "The collector version is not valid."),
};

/** The managed type a lab moref names, from its prefix (vm-12 -> VirtualMachine). */
export function morefType(value: string): string {
  const prefixes: [string, string][] = [
    ["vm-", "VirtualMachine"],
    ["snapshot-", "VirtualMachineSnapshot"],
    ["host-", "HostSystem"],
    ["datastore-", "Datastore"],
    ["network-", "Network"],
    ["dvportgroup-", "DistributedVirtualPortgroup"],
    ["dvs-", "VmwareDistributedVirtualSwitch"],
    ["domain-c", "ClusterComputeResource"],
    ["datacenter-", "Datacenter"],
    ["group-", "Folder"],
    ["resgroup-", "ResourcePool"],
    ["task-", "Task"],
  ];
  return prefixes.find(([p]) => value.startsWith(p))?.[1] ?? "ManagedEntity";
}

const requiredDefaults: Record<string, Record<string, unknown>> = {
  FileFault: { file: "" },
  InvalidPowerState: { existingState: "poweredOff" },
  GenericVmConfigFault: { reason: "" },
};

/** A model refusal (LabFault) as the vSphere fault a host returns. Detail keys that are fields of the
 * fault type are copied; MoRef fields get their type from the moref prefix. */
export function fromLabFault(err: LabFault): SoapFault {
  const fields: Record<string, unknown> = { ...(requiredDefaults[err.fault] ?? {}) };
  for (const f of dataFields(err.fault) ?? []) {
    const v = err.detail[f.name];
    if (v === undefined) continue;
    fields[f.name] = f.type.kind === "mor" ? mor(morefType(v), v) : v;
  }
  if (err.fault === "ManagedObjectNotFound" && !fields["obj"]) fields["obj"] = mor("ManagedEntity", err.detail["obj"] ?? "unknown");
  if (err.fault === "TaskInProgress" && !fields["task"]) fields["task"] = mor("Task", err.detail["task"] ?? "task-0");
  return soapFault(err.fault, err.message, fields);
}

/** Any thrown value as a SoapFault: our faults pass, model refusals map, anything else is SystemError. */
export function toSoapFault(err: unknown): SoapFault {
  if (err instanceof SoapFault) return err;
  if (err instanceof LabFault) return fromLabFault(err);
  const message = err instanceof Error ? err.message : String(err);
  return faults.systemError(message);
}
