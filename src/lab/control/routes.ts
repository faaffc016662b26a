// The lab's control API (the server mounts it at /v2k-lab/ behind basic auth): guest writes, disk
// hashes, fault injection and an inventory summary. Bodies are validated with zod; every refusal is
// { status: 4xx, body: { code, message, hint } } with a code from src/shared/errors.ts.
import { z } from "zod";
import { type ErrorCode } from "../../shared/errors";
import { V2kError } from "../../shared/v2k-error";
import { TASK_FAULT_OPS, taskFaultOp, type LabModel } from "../model/lab-model";
import { LabFault } from "../model/types";
import { SizeSchema } from "../../kit/sizes";

export interface ControlRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface ControlResponse {
  status: number;
  body: unknown;
}

const DiskRef = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)]);

export const WriteRequest = z.object({
  vm: z.string().min(1),
  disk: DiskRef,
  offset: SizeSchema,
  length: SizeSchema,
  seed: z
    .union([
      z.number().int(),
      z
        .string()
        .regex(/^-?\d+$/)
        .transform(Number),
    ])
    .default(1),
});

export const DiskHashRequest = z.object({
  vm: z.string().min(1),
  disk: DiskRef,
  snapshot: z.string().min(1).nullable().default(null),
});

export const faultKinds = [
  "cbt-reset",
  "task-failure",
  "session-expiry",
  "slow",
  "datastore-read-errors",
  "qcda-page-size",
  "cbt-unsupported",
  "qcda-unsupported",
  "malformed-reply",
  "absurd-extents",
  "slow-task",
  "connection-reset",
] as const;

export const FaultRequest = z.object({
  kind: z.enum(faultKinds),
  vm: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  message: z.string().min(1).optional(),
  ms: z.number().int().nonnegative().optional(),
  count: z.number().int().nonnegative().optional(),
  bytes: z.number().int().nonnegative().optional(),
});
export type FaultRequest = z.infer<typeof FaultRequest>;

export interface DiskSummary {
  index: number;
  key: number;
  label: string;
  capacityBytes: number;
  diskMode: string;
  fileName: string;
  changeId: string | null;
}

export interface VmSummary {
  moref: string;
  name: string;
  powerState: string;
  toolsRunning: boolean;
  guestId: string;
  firmware: string;
  changeTrackingEnabled: boolean;
  consolidationNeeded: boolean;
  currentSnapshot: string | null;
  snapshots: { moref: string; name: string; parent: string | null; createTime: string }[];
  disks: DiskSummary[];
}

export function inventorySummary(model: LabModel): {
  scenario: string;
  datacenter: string;
  vms: VmSummary[];
  faults: ReturnType<LabModel["faults"]>;
} {
  const inv = model.inventory();
  return {
    scenario: model.scenario,
    datacenter: inv.datacenter.name,
    vms: inv.vms.map((vm) => ({
      moref: vm.moref,
      name: vm.name,
      powerState: vm.powerState,
      toolsRunning: vm.toolsRunning,
      guestId: vm.guestId,
      firmware: vm.firmware,
      changeTrackingEnabled: vm.changeTrackingEnabled,
      consolidationNeeded: vm.consolidationNeeded,
      currentSnapshot: vm.currentSnapshot,
      snapshots: vm.snapshots.map((s) => ({ moref: s.moref, name: s.name, parent: s.parent, createTime: s.createTime })),
      disks: vm.disks.map((d, index) => ({
        index,
        key: d.key,
        label: d.label,
        capacityBytes: d.capacityBytes,
        diskMode: d.diskMode,
        ...model.currentDiskBacking(vm.moref, d.key),
      })),
    })),
    faults: model.faults(),
  };
}

/** Applies one `lab fault` request; returns the lab's faults afterwards. */
export async function applyFault(model: LabModel, req: FaultRequest): Promise<ReturnType<LabModel["faults"]>> {
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new V2kError("USAGE", `fault '${req.kind}' needs ${what}`, "See 'ablestack_v2k lab fault --help'.");
    return v;
  };
  switch (req.kind) {
    case "cbt-reset":
      await model.cbtReset(model.findVm(need(req.vm, "--vm")).moref);
      break;
    case "task-failure": {
      const ops = TASK_FAULT_OPS.join(", ");
      const op = taskFaultOp(need(req.task, `--task (${ops})`));
      if (!op) throw new V2kError("USAGE", `unknown task '${req.task}' for a task failure`, `Use one of: ${ops}.`);
      await model.setFaults({ failNextTask: { [op]: req.message ?? "Injected task failure (lab fault)" } });
      break;
    }
    case "session-expiry":
      await model.setFaults({ sessionsExpiredBefore: new Date().toISOString() });
      break;
    case "slow":
      await model.setFaults({ slowMs: need(req.ms, "--ms") });
      break;
    case "datastore-read-errors":
      await model.setFaults({ datastoreReadErrors: need(req.count, "--count") });
      break;
    case "qcda-page-size":
      if (need(req.count, "--count") < 1)
        throw new V2kError("USAGE", "a QCDA page holds at least 1 extent", "Use --count 1 or more (2000 is the real hosts' default).");
      await model.setFaults({ qcdaPageSize: need(req.count, "--count") });
      break;
    case "cbt-unsupported": // a VM on virtual hardware 4 (count: the version, default 4)
      await model.setHardwareVersion(model.findVm(need(req.vm, "--vm")).moref, req.count ?? 4);
      break;
    case "qcda-unsupported": // --count 0 turns it off
      await model.setFaults({ qcdaUnsupported: (req.count ?? 1) > 0 });
      break;
    case "slow-task": {
      // the next task of that kind stays running --ms milliseconds before it does its work
      const op = taskFaultOp(need(req.task, "--task"));
      if (!op) throw new V2kError("USAGE", `unknown task '${req.task}' for a slow task`, `Use one of: ${TASK_FAULT_OPS.join(", ")}.`);
      await model.setFaults({ slowNextTask: { [op]: need(req.ms, "--ms") } });
      break;
    }
    case "malformed-reply": // the next N SOAP replies (default 1) are cut off mid-document
      await model.setFaults({ malformedReplies: req.count ?? 1 });
      break;
    case "absurd-extents": // the next N QCDA replies (default 1) hold an extent far beyond the disk
      await model.setFaults({ absurdExtents: req.count ?? 1 });
      break;
    case "connection-reset": {
      // the next N datastore GETs (default 1), or every GET for --ms from the next one, are reset after --bytes body bytes
      const outage = req.ms !== undefined;
      await model.setFaults({ connectionResets: outage ? 0 : (req.count ?? 1), connectionResetOutageMs: req.ms ?? 0 });
      await model.setFaults({ connectionResetsUntil: null, connectionResetAfterBytes: req.bytes ?? 0 });
      break;
    }
  }
  return model.faults();
}

function fail(status: number, code: ErrorCode, message: string, hint: string, extra: Record<string, unknown> = {}): ControlResponse {
  return { status, body: { code, message, hint, ...extra } };
}

function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success)
    throw new V2kError(
      "USAGE",
      r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
      "Fix the request body.",
    );
  return r.data;
}

function queryObject(q: URLSearchParams): Record<string, string> {
  return Object.fromEntries(q.entries());
}

export async function handleControl(model: LabModel, req: ControlRequest): Promise<ControlResponse> {
  const route = req.path.replace(/^\/v2k-lab(?=\/|$)/, "").replace(/\/+$/, "") || "/";
  const input = req.method === "GET" ? queryObject(req.query) : (req.body ?? {});
  try {
    if (route === "/write" && req.method === "POST") {
      const w = parse(WriteRequest, input);
      const vm = model.findVm(w.vm);
      await model.guestWrite(vm.moref, w.disk, w.offset, w.length, w.seed);
      const disk = vm.disks[w.disk] ?? vm.disks.find((d) => d.key === w.disk);
      return { status: 200, body: { vm: vm.moref, diskKey: disk?.key, offset: w.offset, length: w.length, seed: w.seed } };
    }
    if (route === "/disk-hash" && (req.method === "GET" || req.method === "POST")) {
      const h = parse(DiskHashRequest, input);
      const vm = model.findVm(h.vm);
      const sha256 = await model.diskHash(vm.moref, h.disk, h.snapshot);
      const disk = vm.disks[h.disk] ?? vm.disks.find((d) => d.key === h.disk);
      return { status: 200, body: { vm: vm.moref, diskKey: disk?.key, snapshot: h.snapshot, capacityBytes: disk?.capacityBytes, sha256 } };
    }
    if (route === "/fault" && req.method === "POST") {
      return { status: 200, body: { faults: await applyFault(model, parse(FaultRequest, input)) } };
    }
    if (route === "/inventory" && req.method === "GET") {
      return { status: 200, body: inventorySummary(model) };
    }
    return fail(
      404,
      "USAGE",
      `no control route ${req.method} ${req.path}`,
      "Routes: POST /v2k-lab/write, GET|POST /v2k-lab/disk-hash, POST /v2k-lab/fault, GET /v2k-lab/inventory.",
    );
  } catch (e) {
    if (e instanceof V2kError) return fail(e.code === "USAGE" ? 400 : 409, e.code, e.message, e.hint);
    if (e instanceof LabFault) {
      if (e.fault === "ManagedObjectNotFound")
        return fail(404, "VM_NOT_FOUND", e.message, "List the lab's VMs with 'ablestack_v2k lab inventory --dir D'.", { fault: e.fault });
      const status = e.fault === "InvalidArgument" ? 400 : 409;
      return fail(status, "VSPHERE_FAULT", `${e.fault}: ${e.message}`, "The lab refused this as a vSphere host would; see the message.", {
        fault: e.fault,
      });
    }
    throw e;
  }
}
