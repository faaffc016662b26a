import { z } from "zod";
import { resolve } from "node:path";
import { defineCommand } from "../cli/command";
import { vcenterOptions, vcenterSchemaFields } from "../config/vcenter-access";
import { V2kError } from "../../shared/v2k-error";
import { defaultWorkdirPath, hasManifest, newRunId, readManifest, Workdir } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { manifestFromInventory } from "../sync/inventory-manifest";
import { checkDstSpace } from "../preflight/dst-space";

export const initCommand = defineCommand({
  path: ["init"],
  summary: "take the VM's inventory into a new workdir (manifest.json + events.log)",
  options: {
    vm: { type: "string", valueName: "NAME", description: "the VM's name in vCenter" },
    dst: { type: "string", valueName: "DIR", description: "target directory for the disk images" },
    "target-format": { type: "string", valueName: "qcow2|raw", description: "target image format (default qcow2)" },
    "target-mode": { type: "string", valueName: "file", description: "target kind (default file)" },
    transport: { type: "string", valueName: "vddk|http", description: "source transport (default http)" },
    ...vcenterOptions,
  },
  schema: z.object({
    vm: z.string().min(1),
    dst: z.string().min(1),
    "target-format": z.enum(["qcow2", "raw"]).default("qcow2"),
    "target-mode": z.enum(["file", "block"]).default("file"),
    transport: z.enum(["vddk", "http"]).default("http"),
    positionals: z.array(z.string()).max(0),
    ...vcenterSchemaFields,
  }),
  render: (data) => (data as { workdir: string }).workdir,
  async run(o, ctx) {
    if (o["target-mode"] === "block") {
      throw new V2kError("USAGE", "--target-mode block is not available in this version", "Use --target-mode file (qcow2 or raw image files under --dst).");
    }
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
      const needed = inventory.disks.reduce((s, d) => s + d.capacityBytes, 0);
      checkDstSpace(dst, needed);
      return manifestFromInventory({ runId, inventory, access, dst, format: o["target-format"], mode: o["target-mode"], transport: o.transport });
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
