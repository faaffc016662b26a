import { z } from "zod";
import { resolve } from "node:path";
import { defineCommand } from "../../kit/cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { V2kError } from "../../shared/v2k-error";
import { defaultWorkdirPath, hasManifest, newRunId, readManifest, Workdir } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { manifestFromInventory } from "../sync/inventory-manifest";
import { checkDstSpace } from "../preflight/dst-space";
import { parseTargetDevices } from "../preflight/block-targets";

export const initCommand = defineCommand({
  path: ["init"],
  summary: "take the VM's inventory into a new workdir (manifest.json + events.log)",
  options: {
    vm: { type: "string", valueName: "NAME", description: "the VM's name in vCenter" },
    dst: { type: "string", valueName: "DIR", description: "target directory for the disk images" },
    "target-format": { type: "string", valueName: "qcow2|raw", description: "target image format (default qcow2)" },
    "target-mode": { type: "string", valueName: "file|block", description: "image files under --dst (default), or one block device per disk" },
    "target-device": { type: "string", multiple: true, valueName: "DISK=DEV", description: "block mode: the device for disk DISK (index or device key), repeat per disk" },
    transport: { type: "string", valueName: "vddk|http", description: "source transport (default http)" },
    ...vcenterOptions,
  },
  schema: z.object({
    vm: z.string().min(1),
    dst: z.string().min(1),
    "target-format": z.enum(["qcow2", "raw"]).optional(),
    "target-mode": z.enum(["file", "block"]).default("file"),
    "target-device": z.array(z.string()).default([]),
    transport: z.enum(["vddk", "http"]).default("http"),
    positionals: z.array(z.string()).max(0),
    ...vcenterSchemaFields,
  }),
  render: (data) => {
    // the workdir alone on the last line: operators note it (and scripts take it with tail -n1)
    const r = data as { workdir: string; vm: string; moref: string; disks: number; runId: string; alreadyInitialized: boolean };
    return `${r.alreadyInitialized ? "already initialized" : "initialized"}: ${r.vm} (${r.moref}), ${r.disks} disk(s), run ${r.runId}\n` +
      `workdir (use it as --workdir for the next commands):\n${r.workdir}`;
  },
  async run(o, ctx) {
    const block = o["target-mode"] === "block";
    if (block && o["target-format"] === "qcow2") {
      throw new V2kError("USAGE", "block targets are written raw", "Drop --target-format qcow2 (or use --target-mode file).");
    }
    if (!block && o["target-device"].length > 0) throw new V2kError("USAGE", "--target-device needs --target-mode block", "Add --target-mode block.");
    const dst = resolve(o.dst);
    const runId = newRunId();
    const path = resolve(ctx.global.workdir ?? defaultWorkdirPath(o.vm, runId));
    // idempotent: re-running init for the same VM on its own workdir returns that workdir
    if (hasManifest(path)) {
      const { manifest } = readManifest(path);
      if (manifest.vm.name === o.vm) {
        ctx.emitter.log("info", "init", `workdir ${path} already holds the run of ${o.vm}; continuing with it`);
        return { workdir: path, runId: manifest.runId, vm: manifest.vm.name, moref: manifest.vm.moref, disks: manifest.disks.length, alreadyInitialized: true };
      }
    }
    const manifest = await withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, undefined, async ({ bridge, access }) => {
      const inventory = await bridge.inventory({ name: o.vm });
      if (block) {
        const devices = parseTargetDevices(o["target-device"], inventory.disks.map((d, index) => ({ ...d, index })));
        return manifestFromInventory({ runId, inventory, access, dst, format: "raw", mode: "block", transport: o.transport, devices });
      }
      const needed = inventory.disks.reduce((s, d) => s + d.capacityBytes, 0);
      checkDstSpace(dst, needed);
      return manifestFromInventory({ runId, inventory, access, dst, format: o["target-format"] ?? "qcow2", mode: "file", transport: o.transport });
    });
    const wd = Workdir.create(path, manifest, ctx.emitter, "init");
    try {
      ctx.emitter.emit({ type: "phase", step: "init", phase: "initialized", message: `inventory of ${manifest.vm.name} (${manifest.vm.moref}) taken: ${manifest.disks.length} disk(s)` });
      if (manifest.vcenter.insecure) await wd.warn("init", "TLS_INSECURE", "vCenter certificate is not verified (--insecure)");
    } finally {
      wd.release();
    }
    return { workdir: path, runId, vm: manifest.vm.name, moref: manifest.vm.moref, disks: manifest.disks.length, alreadyInitialized: false };
  },
});
