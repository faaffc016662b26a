// `lab write | disk-hash | fault | inventory`: guest simulation, checks and fault injection against a
// running lab, through its control API (lab.json in --dir gives the address, credentials, thumbprint).
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { LabControlClient } from "../client/lab-client";
import { faultKinds, type VmSummary } from "../control/routes";
import { sizeOption } from "../../kit/sizes";

const noPositionals = z.array(z.string()).max(0, "this command takes no positional arguments");
const dirOption = { dir: { type: "string" as const, description: "the lab's directory (holds lab.json)", valueName: "DIR" } };
const integer = (what: string) => z.string().regex(/^\d+$/, `${what} must be a non-negative integer`).transform(Number);

export const labWriteCommand = defineCommand({
  path: ["lab", "write"],
  summary: "write deterministic guest data to a running lab VM's disk",
  options: {
    ...dirOption,
    vm: { type: "string", description: "VM name or moref", valueName: "VM" },
    disk: { type: "string", description: "disk: 0-based index in device order, or device key (>= 2000)", valueName: "N" },
    offset: { type: "string", description: "byte offset (4096, 64K, 1M, 1G)", valueName: "SIZE" },
    length: { type: "string", description: "byte count (4096, 64K, 1M, 1G)", valueName: "SIZE" },
    seed: { type: "string", description: "seed of the pseudo-random data (default 1)", valueName: "S" },
  },
  schema: z.object({
    positionals: noPositionals,
    dir: z.string().min(1),
    vm: z.string().min(1),
    disk: integer("--disk"),
    offset: sizeOption("offset"),
    length: sizeOption("length"),
    seed: z
      .string()
      .regex(/^-?\d+$/, "--seed must be an integer")
      .transform(Number)
      .default("1"),
  }),
  render: (d) => {
    const r = d as { vm: string; diskKey: number; offset: number; length: number; seed: number };
    return `wrote ${r.length} bytes at offset ${r.offset} to ${r.vm} disk ${r.diskKey} (seed ${r.seed})`;
  },
  async run(o) {
    return LabControlClient.fromDir(o.dir).write({ vm: o.vm, disk: o.disk, offset: o.offset, length: o.length, seed: o.seed });
  },
});

export const labDiskHashCommand = defineCommand({
  path: ["lab", "disk-hash"],
  summary: "sha256 of a lab disk's full current content, or of a snapshot's frozen content",
  options: {
    ...dirOption,
    vm: { type: "string", description: "VM name or moref", valueName: "VM" },
    disk: { type: "string", description: "disk: 0-based index in device order, or device key (>= 2000)", valueName: "N" },
    snapshot: { type: "string", description: "snapshot moref (default: current content)", valueName: "MOREF" },
  },
  schema: z.object({
    positionals: noPositionals,
    dir: z.string().min(1),
    vm: z.string().min(1),
    disk: integer("--disk"),
    snapshot: z.string().min(1).optional(),
  }),
  render: (d) => (d as { sha256: string }).sha256,
  async run(o) {
    return LabControlClient.fromDir(o.dir).diskHash({ vm: o.vm, disk: o.disk, snapshot: o.snapshot ?? null });
  },
});

export const labFaultCommand = defineCommand({
  path: ["lab", "fault"],
  summary:
    "inject a fault into a running lab (CBT reset, task failure, session expiry, slowness, read errors, connection resets, QCDA page size)",
  options: {
    ...dirOption,
    kind: { type: "string", description: faultKinds.join("|"), valueName: "KIND" },
    vm: { type: "string", description: "VM name or moref (cbt-reset, cbt-unsupported)", valueName: "VM" },
    task: {
      type: "string",
      description:
        "operation to fail once (task-failure) or to keep running --ms first (slow-task): CreateSnapshot, RemoveSnapshot, Reconfig, PowerOn, PowerOff, ShutdownGuest, ConsolidateDisks (or the vSphere method name, e.g. CreateSnapshot_Task)",
      valueName: "OP",
    },
    message: { type: "string", description: "fault message of the failed task (task-failure)", valueName: "TEXT" },
    ms: {
      type: "string",
      description:
        "milliseconds added to every SOAP response (slow; 0 turns it off), or a slow task runs before its work (slow-task), or every datastore read is reset (connection-reset)",
      valueName: "N",
    },
    count: {
      type: "string",
      description:
        "number of failing datastore reads, extents per QCDA page, hardware version (cbt-unsupported, default 4), 0 to turn qcda-unsupported off, replies to spoil (malformed-reply, absurd-extents; default 1), datastore reads to reset (connection-reset; default 1)",
      valueName: "N",
    },
    bytes: { type: "string", description: "body bytes a reset datastore read sends first (connection-reset; default 0)", valueName: "N" },
  },
  schema: z.object({
    positionals: noPositionals,
    dir: z.string().min(1),
    kind: z.enum(faultKinds),
    vm: z.string().min(1).optional(),
    task: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
    ms: integer("--ms").optional(),
    count: integer("--count").optional(),
    bytes: integer("--bytes").optional(),
  }),
  async run(o) {
    const { dir, positionals: _p, ...req } = o;
    return LabControlClient.fromDir(dir).fault(req);
  },
});

export const labInventoryCommand = defineCommand({
  path: ["lab", "inventory"],
  summary: "show a running lab's VMs, disks (current backing and changeId) and snapshots",
  options: { ...dirOption },
  schema: z.object({ positionals: noPositionals, dir: z.string().min(1) }),
  render: (d) => renderInventory(d as { scenario: string; datacenter: string; vms: VmSummary[] }),
  async run(o) {
    return LabControlClient.fromDir(o.dir).inventory();
  },
});

function renderInventory(inv: { scenario: string; datacenter: string; vms: VmSummary[] }): string {
  const lines = [`datacenter ${inv.datacenter} (scenario ${inv.scenario})`];
  for (const vm of inv.vms) {
    lines.push(
      `${vm.name} (${vm.moref}) ${vm.powerState}${vm.toolsRunning ? ", tools running" : ""}, ${vm.guestId}, ${vm.firmware}, CBT ${vm.changeTrackingEnabled ? "on" : "off"}${vm.consolidationNeeded ? ", needs consolidation" : ""}`,
    );
    for (const d of vm.disks) {
      lines.push(
        `  disk ${d.index} key ${d.key} ${(d.capacityBytes / 2 ** 30).toFixed(2)} GiB ${d.diskMode} ${d.fileName}${d.changeId ? ` changeId ${d.changeId}` : ""}`,
      );
    }
    for (const s of vm.snapshots) lines.push(`  snapshot ${s.moref} "${s.name}"${s.moref === vm.currentSnapshot ? " (current)" : ""}`);
  }
  return lines.join("\n");
}
