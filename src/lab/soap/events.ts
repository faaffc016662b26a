// The lab's event log, as vCenter's EventManager keeps it: one event per real operation (task
// started, VM powered on/off, reconfigured, reverted, guest shutdown, login/logout), each naming the
// entities it concerns so that filters by entity (with recursion) work. Kept in memory, bounded.
import { type LabInventory, type LabVm } from "../model/types";
import { type DataObject, data, mor } from "./codec/values";
import { resourcePoolId } from "./objects/ids";

const KEEP_EVENTS = 5000;

export interface LoggedEvent {
  event: DataObject;
  /** Morefs of the entities the event concerns (VM, host, cluster, datacenter). */
  entities: string[];
  /** The type filters match: the wsdl type, or the eventTypeId of an EventEx. */
  typeId: string;
}

/** Event kinds the lab logs, with the category vCenter gives them (EventManager.description). */
export const EVENT_KINDS: Record<string, { category: string; format: string }> = {
  TaskEvent: { category: "info", format: "Task: {info.descriptionId}" },
  VmPoweredOnEvent: { category: "info", format: "{vm.name} on {host.name} in {datacenter.name} is powered on" },
  VmPoweredOffEvent: { category: "info", format: "{vm.name} on {host.name} in {datacenter.name} is powered off" },
  VmReconfiguredEvent: { category: "info", format: "Reconfigured {vm.name} on {host.name} in {datacenter.name}" },
  VmGuestShutdownEvent: { category: "info", format: "Guest OS shut down for {vm.name} on {host.name} in {datacenter.name}" },
  UserLoginSessionEvent: { category: "info", format: "User {userName}@{ipAddress} logged in as {userAgent}" },
  UserLogoutSessionEvent: { category: "info", format: "User {userName}@{ipAddress} logged out" },
  "com.vmware.vc.vm.VmStateRevertedToSnapshot": {
    category: "info",
    format: "The execution state of the virtual machine {vm.name} has been reverted to the state of snapshot {snapshotName}",
  },
};

export class EventLog {
  private readonly events: LoggedEvent[] = [];
  private seq = 0;

  constructor(private readonly onChange: () => void) {}

  all(): LoggedEvent[] {
    return this.events;
  }

  latest(): DataObject | undefined {
    return this.events.at(-1)?.event;
  }

  private add(type: string, fields: Record<string, unknown>, entities: string[], typeId = type): DataObject {
    const key = ++this.seq;
    const event = data(type, {
      key,
      chainId: (fields["chainId"] as number | undefined) ?? key,
      createdTime: new Date().toISOString(),
      ...fields,
    });
    this.events.push({ event, entities, typeId });
    if (this.events.length > KEEP_EVENTS) this.events.splice(0, this.events.length - KEEP_EVENTS);
    this.onChange();
    return event;
  }

  /** An event about a VM: the VM, its host, cluster and datacenter as vCenter fills them in. */
  vmEvent(inv: LabInventory, vm: LabVm, type: string, userName: string, message: string, extra: Record<string, unknown> = {}): DataObject {
    const host = inv.hosts.find((h) => h.moref === vm.host);
    const fields = {
      userName,
      datacenter: data("DatacenterEventArgument", { name: inv.datacenter.name, datacenter: mor("Datacenter", inv.datacenter.moref) }),
      computeResource: data("ComputeResourceEventArgument", {
        name: inv.cluster.name,
        computeResource: mor("ClusterComputeResource", inv.cluster.moref),
      }),
      host: host ? data("HostEventArgument", { name: host.name, host: mor("HostSystem", host.moref) }) : undefined,
      vm: data("VmEventArgument", { name: vm.name, vm: mor("VirtualMachine", vm.moref) }),
      fullFormattedMessage: message,
      ...(type === "EventEx" || type === "TaskEvent" ? {} : { template: false }),
      ...extra,
    };
    const entities = [vm.moref, vm.host, inv.cluster.moref, resourcePoolId(inv.cluster.moref), inv.datacenter.moref];
    return this.add(type, fields, entities, type === "EventEx" ? String(extra["eventTypeId"]) : type);
  }

  /** TaskEvent for a task just created; chained to the task as vCenter does (chainId = eventChainId). */
  taskEvent(inv: LabInventory, vm: LabVm | undefined, info: DataObject, userName: string, message: string): DataObject {
    const chainId = info["eventChainId"] as number;
    if (vm) return this.vmEvent(inv, vm, "TaskEvent", userName, message, { info, chainId });
    return this.add("TaskEvent", { userName, info, chainId, fullFormattedMessage: message }, []);
  }

  sessionEvent(
    type: "UserLoginSessionEvent" | "UserLogoutSessionEvent",
    s: { userName: string; ipAddress: string; userAgent: string; key: string },
  ): void {
    const message =
      type === "UserLoginSessionEvent"
        ? `User ${s.userName}@${s.ipAddress} logged in as ${s.userAgent}`
        : `User ${s.userName}@${s.ipAddress} logged out`;
    const extra =
      type === "UserLoginSessionEvent"
        ? { locale: "en", sessionId: s.key }
        : { sessionId: s.key, callCount: 0, loginTime: new Date().toISOString() };
    this.add(type, { userName: s.userName, ipAddress: s.ipAddress, userAgent: s.userAgent, fullFormattedMessage: message, ...extra }, []);
  }
}

/** EventManager.description: categories and one detail per event kind the lab logs. */
export function eventDescription(): DataObject {
  const categories = ["info", "warning", "error", "user"].map((key) => data("ElementDescription", { key, label: key, summary: key }));
  const eventInfo = Object.entries(EVENT_KINDS).map(([key, k]) =>
    data("EventDescriptionEventDetail", {
      key,
      category: k.category,
      description: key,
      formatOnDatacenter: k.format,
      formatOnComputeResource: k.format,
      formatOnHost: k.format,
      formatOnVm: k.format,
      fullFormat: k.format,
    }),
  );
  return data("EventDescription", { category: categories, eventInfo });
}
