import { z } from "zod";
import { resolve } from "node:path";
import { defineCommand } from "../../kit/cli/command";
import { initDecls } from "../../shared/requests/commands";
import { optionSpecs, zodFields } from "../../shared/requests/option";
import { V2kError } from "../../shared/v2k-error";
import { defaultWorkdirPath, hasManifest, newRunId, readManifest, Workdir } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { manifestFromInventory } from "../sync/inventory-manifest";
import { checkDstSpace, refuseExistingTargets } from "../preflight/dst-space";
import { parseTargetDevices } from "../preflight/block-targets";
import { prepareRbdTargets, type RbdDiskTarget } from "../preflight/rbd-targets";
import { CephCli, defaultImageName, diskSlot, parseTargetMap, rbdPath } from "../storage/rbd/index";
import { type InventoryResult } from "../vsphere/replies";
import { parseNetworkMap } from "../cutover/domain-policy";
import { networkMapRecord } from "../cutover/domain-config";

export const initCommand = defineCommand({
  path: ["init"],
  summary: "take the VM's inventory into a new workdir (manifest.json + events.log)",
  options: optionSpecs(initDecls),
  schema: z.object({ ...zodFields(initDecls), positionals: z.array(z.string()).max(0) }),
  render: (data) => {
    // the workdir alone on the last line: operators note it (and scripts take it with tail -n1)
    const r = data as { workdir: string; vm: string; moref: string; disks: number; runId: string; alreadyInitialized: boolean };
    return (
      `${r.alreadyInitialized ? "already initialized" : "initialized"}: ${r.vm} (${r.moref}), ${r.disks} disk(s), run ${r.runId}\n` +
      `workdir (use it as --workdir for the next commands):\n${r.workdir}`
    );
  },
  async run(o, ctx) {
    const storage = targetStorage(o);
    const block = storage === "block";
    if (storage !== "file" && o["target-format"] === "qcow2") {
      throw new V2kError("USAGE", `${storage} targets are written raw`, "Drop --target-format qcow2 (or use --target-storage file).");
    }
    if (!block && o["target-device"].length > 0)
      throw new V2kError("USAGE", "--target-device needs --target-storage block", "Add --target-storage block.");
    if (storage === "rbd" && o["rbd-pool"] === undefined && o["target-map-json"] === undefined) {
      throw new V2kError(
        "USAGE",
        "rbd targets need --rbd-pool (or --target-map-json)",
        "Add --rbd-pool POOL ('ceph osd pool ls' lists them).",
      );
    }
    if (storage !== "rbd" && (o["rbd-pool"] !== undefined || o["target-map-json"] !== undefined)) {
      throw new V2kError("USAGE", "--rbd-pool and --target-map-json need --target-storage rbd", "Add --target-storage rbd.");
    }
    if (storage !== "rbd" && o.dst === undefined)
      throw new V2kError("USAGE", "--dst is required", "Give the target directory with --dst DIR.");
    // the map is checked against the host at preflight and again by cutover before the source goes down
    const networkMap = o["network-map"] ? networkMapRecord(parseNetworkMap(o["network-map"])) : undefined;
    const runId = newRunId();
    const path = resolve(ctx.global.workdir ?? defaultWorkdirPath(o.vm, runId));
    const dst = resolve(o.dst ?? path);
    // idempotent: re-running init for the same VM on its own workdir returns that workdir
    if (hasManifest(path)) {
      const { manifest } = readManifest(path);
      if (manifest.vm.name === o.vm) {
        ctx.emitter.log("info", "init", `workdir ${path} already holds the run of ${o.vm}; continuing with it`);
        return {
          workdir: path,
          runId: manifest.runId,
          vm: manifest.vm.name,
          moref: manifest.vm.moref,
          disks: manifest.disks.length,
          alreadyInitialized: true,
        };
      }
    }
    const manifest = await withVsphere(o, { readStdin: ctx.readStdin, signal: ctx.signal }, undefined, async ({ bridge, access }) => {
      const inventory = await bridge.inventory({ name: o.vm });
      if (block) {
        const devices = parseTargetDevices(
          o["target-device"],
          inventory.disks.map((d, index) => ({ ...d, index })),
        );
        return manifestFromInventory({ runId, inventory, access, dst, format: "raw", mode: "block", transport: o.transport, devices });
      }
      if (storage === "rbd") {
        const rbd = await rbdInit(o, inventory, runId, (msg) => ctx.emitter.log("warn", "init", msg));
        return manifestFromInventory({ runId, inventory, access, dst, format: "raw", mode: "rbd", transport: o.transport, rbd });
      }
      const needed = inventory.disks.reduce((s, d) => s + d.capacityBytes, 0);
      checkDstSpace(dst, needed);
      const manifest = manifestFromInventory({
        runId,
        inventory,
        access,
        dst,
        format: o["target-format"] ?? "qcow2",
        mode: "file",
        transport: o.transport,
      });
      const reused = refuseExistingTargets(
        manifest.disks.map((d) => d.target.path),
        o.force,
      );
      for (const f of reused) ctx.emitter.log("warn", "init", `--force: writing over ${f}`);
      return manifest;
    });
    if (networkMap) manifest.networkMap = networkMap;
    const wd = Workdir.create(path, manifest, ctx.emitter, "init");
    try {
      ctx.emitter.emit({
        type: "phase",
        step: "init",
        phase: "initialized",
        message: `inventory of ${manifest.vm.name} (${manifest.vm.moref}) taken: ${manifest.disks.length} disk(s)`,
      });
      if (manifest.vcenter.insecure) await wd.warn("init", "TLS_INSECURE", "vCenter certificate is not verified (--insecure)");
    } finally {
      wd.release();
    }
    return {
      workdir: path,
      runId,
      vm: manifest.vm.name,
      moref: manifest.vm.moref,
      disks: manifest.disks.length,
      alreadyInitialized: false,
    };
  },
});

type InitOptions = {
  "target-storage"?: "file" | "block" | "rbd" | undefined;
  "target-mode"?: "file" | "block" | "rbd" | undefined;
};

function targetStorage(o: InitOptions): "file" | "block" | "rbd" {
  const a = o["target-storage"];
  const b = o["target-mode"];
  if (a !== undefined && b !== undefined && a !== b) {
    throw new V2kError(
      "USAGE",
      `--target-storage ${a} and --target-mode ${b} disagree`,
      "Give one of them (--target-mode is the older name).",
    );
  }
  return a ?? b ?? "file";
}

interface RbdInitOptions {
  vm: string;
  "rbd-pool"?: string | undefined;
  "ceph-conf": string;
  "ceph-id": string;
  "target-map-json"?: string | undefined;
  force: boolean;
}

/** RBD targets: names per disk, preflight on the cluster, images created and marked with the run id. */
async function rbdInit(o: RbdInitOptions, inv: InventoryResult, runId: string, warn: (msg: string) => void) {
  const disks = inv.disks.map((d, index) => {
    const c = inv.controllers.find((x) => x.key === d.controllerKey);
    return {
      key: d.key,
      index,
      slot: diskSlot(c?.type ?? "scsi", c?.busNumber ?? 0, d.unitNumber),
      label: d.label,
      capacityBytes: d.capacityBytes,
    };
  });
  const mapped = o["target-map-json"] !== undefined ? parseTargetMap(o["target-map-json"], disks) : new Map();
  const targets: RbdDiskTarget[] = disks.map((d) => {
    const name =
      mapped.get(d.key) ?? (o["rbd-pool"] !== undefined ? { pool: o["rbd-pool"], image: defaultImageName(inv.name, d.index) } : undefined);
    if (!name)
      throw new V2kError(
        "USAGE",
        `no RBD image for ${d.label} (${d.slot})`,
        "Add it to --target-map-json or give --rbd-pool for the rest.",
      );
    return { key: d.key, label: d.label, capacityBytes: d.capacityBytes, name };
  });
  const access = { conf: resolve(o["ceph-conf"]), id: o["ceph-id"] };
  const cli = new CephCli(access);
  const { replaced } = await prepareRbdTargets(cli, targets, runId, o.force);
  for (const r of replaced) warn(`--force: replaced ${r}, left by an earlier ablestack-v2k run`);
  return {
    images: new Map(targets.map((t) => [t.key, rbdPath(t.name)])),
    conf: access.conf,
    id: access.id,
    pool: o["rbd-pool"] ?? targets[0]!.name.pool,
  };
}
