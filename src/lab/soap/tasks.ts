// vSphere Task objects. Operations on one entity run one after another (later ones wait "queued"),
// and a failure becomes TaskInfo.error with the typed fault, as vCenter reports it.
import { type DataObject, MoRef, data, mor } from "./codec/values";
import { toSoapFault } from "./faults";

export interface TaskRecord {
  moref: string;
  entity: string;
  info: DataObject; // TaskInfo, replaced (never mutated) on each state change
}

export interface TaskSpec {
  name: string; // the wsdl method name, e.g. "CreateSnapshot_Task" (pyVmomi resolves it to the method)
  descriptionId: string; // e.g. "VirtualMachine.createSnapshot"
  entity: MoRef;
  entityName: string;
  userName: string;
  run(): Promise<unknown>;
}

const KEEP_TASKS = 1000;

/** Labels vCenter shows for the task kinds the lab runs (TaskManager.description.methodInfo). */
export const TASK_LABELS: Record<string, string> = {
  "VirtualMachine.reconfigure": "Reconfigure virtual machine",
  "VirtualMachine.createSnapshot": "Create virtual machine snapshot",
  "VirtualMachine.removeSnapshot": "Remove snapshot",
  "vm.Snapshot.revert": "Revert to snapshot",
  "VirtualMachine.consolidateDisks": "Consolidate virtual machine disk files",
  "VirtualMachine.powerOn": "Power On virtual machine",
  "VirtualMachine.powerOff": "Power Off virtual machine",
  "HostDatastoreBrowser.search": "Search datastore",
  "HostDatastoreBrowser.searchSubFolders": "Search datastore subfolders",
};

export class TaskRegistry {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly queues = new Map<string, Promise<void>>();
  private seq: number;

  constructor(private readonly onChange: () => void) {
    // Numbers continue upward across restarts so that a stale task moref never names a new task.
    this.seq = Math.floor(Date.now() / 1000) % 10_000_000;
  }

  get(moref: string): TaskRecord | undefined {
    return this.tasks.get(moref);
  }

  recentFor(entity: string): MoRef[] {
    return [...this.tasks.values()]
      .filter((t) => t.entity === entity && t.info["state"] !== "success" && t.info["state"] !== "error")
      .map((t) => mor("Task", t.moref));
  }

  descriptions(): { key: string; label: string }[] {
    return Object.entries(TASK_LABELS).map(([key, label]) => ({ key, label }));
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  /** Creates the task (state queued) and starts it after earlier tasks on the same entity. */
  start(spec: TaskSpec): MoRef {
    const moref = `task-${++this.seq}`;
    const ref = mor("Task", moref);
    const base = {
      key: moref,
      task: ref,
      name: spec.name,
      descriptionId: spec.descriptionId,
      entity: spec.entity,
      entityName: spec.entityName,
      cancelled: false,
      cancelable: false,
      reason: data("TaskReasonUser", { userName: spec.userName }),
      queueTime: new Date().toISOString(),
      eventChainId: this.seq,
    };
    const record: TaskRecord = { moref, entity: spec.entity.value, info: data("TaskInfo", { ...base, state: "queued" }) };
    this.tasks.set(moref, record);
    this.prune();
    const set = (fields: Record<string, unknown>) => {
      record.info = data("TaskInfo", { ...base, ...fields });
      this.onChange();
    };
    const prev = this.queues.get(record.entity) ?? Promise.resolve();
    const next = prev.then(async () => {
      const startTime = new Date().toISOString();
      set({ state: "running", progress: 0, startTime });
      try {
        const result = await spec.run();
        set({ state: "success", startTime, completeTime: new Date().toISOString(), result: result === undefined ? undefined : result });
      } catch (err) {
        const f = toSoapFault(err);
        set({
          state: "error",
          startTime,
          completeTime: new Date().toISOString(),
          error: data("LocalizedMethodFault", { fault: f.fault, localizedMessage: f.message }),
        });
      }
    });
    this.queues.set(record.entity, next);
    void next.finally(() => {
      if (this.queues.get(record.entity) === next) this.queues.delete(record.entity);
    });
    return ref;
  }

  /** Waits for every queued and running task (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
  }

  private prune(): void {
    if (this.tasks.size <= KEEP_TASKS) return;
    for (const [k, t] of this.tasks) {
      if (this.tasks.size <= KEEP_TASKS) break;
      if (t.info["state"] === "success" || t.info["state"] === "error") this.tasks.delete(k);
    }
  }
}

export { MoRef };
