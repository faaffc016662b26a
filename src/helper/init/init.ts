// Init as a domain step: take the VM's inventory from vCenter, decide its targets (files under dst, block
// devices, RBD images), write a new workdir with manifest.json and events.log. Used by the init command
// and by the unattended pipeline; idempotent on a workdir that already holds the same VM's run.
import { resolve } from "node:path";
import { type Manifest } from "../../shared/manifest";
import { type VcenterFlags } from "../config/vcenter-access";
import { defaultWorkdirPath, hasManifest, newRunId, readManifest, Workdir, type StepContext } from "../state/index";
import { withVsphere } from "../vsphere/session";
import { manifestFromInventory } from "../sync/inventory-manifest";
import { checkDstSpace, refuseExistingTargets } from "../preflight/dst-space";
import { parseTargetDevices } from "../preflight/block-targets";
import { type InventoryResult } from "../vsphere/replies";
import { checkTargetRequest, type TargetStorage } from "../preflight/target-request";
import { rbdTargets, type RbdInitRequest } from "./rbd";
import { say } from "../../shared/i18n/lang";

export interface InitRequest extends RbdInitRequest {
  /** Target directory for images (rbd: for the domain's XML and NVRAM; default the workdir). */
  dst?: string | undefined;
  targetFormat?: "qcow2" | "raw" | undefined;
  targetStorage: TargetStorage;
  /** Block storage: "DISK=DEV" per disk. */
  targetDevices: string[];
  /** Also (file storage): write over existing target files. */
  force: boolean;
  transport: "vddk" | "http";
  /** Port group -> "bridge:NAME" / "network:NAME": checked at preflight and by cutover before the source goes down. */
  networkMap?: Record<string, string> | undefined;
  vcenter: VcenterFlags;
}

export interface InitOutcome {
  workdir: string;
  manifest: Manifest;
  /** The workdir already held this VM's run: nothing was changed. */
  alreadyInitialized: boolean;
}

const STEP = "init";

/** The manifest for the inventory, with the targets the request asks for (prepared on the host where needed). */
async function manifestFor(
  r: InitRequest,
  inventory: InventoryResult,
  base: { runId: string; access: Parameters<typeof manifestFromInventory>[0]["access"]; dst: string },
  ctx: StepContext,
): Promise<Manifest> {
  const common = { ...base, inventory, transport: r.transport };
  if (r.targetStorage === "block") {
    const devices = parseTargetDevices(
      r.targetDevices,
      inventory.disks.map((d, index) => ({ ...d, index })),
    );
    return manifestFromInventory({ ...common, format: "raw", mode: "block", devices });
  }
  if (r.targetStorage === "rbd") {
    const rbd = await rbdTargets(r, inventory, base.runId, (msg) => ctx.emitter.log("warn", STEP, msg));
    return manifestFromInventory({ ...common, format: "raw", mode: "rbd", rbd });
  }
  checkDstSpace(
    base.dst,
    inventory.disks.reduce((s, d) => s + d.capacityBytes, 0),
  );
  const manifest = manifestFromInventory({ ...common, format: r.targetFormat ?? "qcow2", mode: "file" });
  const reused = refuseExistingTargets(
    manifest.disks.map((d) => d.target.path),
    r.force,
  );
  for (const f of reused) ctx.emitter.log("warn", STEP, say(`--force: writing over ${f}`, `--force: ${f}을(를) 덮어씁니다`));
  return manifest;
}

/** A new workdir for the VM (or the one that already holds its run), with its manifest. */
export async function initMigration(r: InitRequest, ctx: StepContext): Promise<InitOutcome> {
  checkTargetRequest(r);
  const runId = newRunId();
  const path = resolve(ctx.workdir ?? defaultWorkdirPath(r.vm, runId));
  const dst = resolve(r.dst ?? path);
  // idempotent: re-running init for the same VM on its own workdir returns that workdir
  if (hasManifest(path)) {
    const { manifest } = readManifest(path);
    if (manifest.vm.name === r.vm) {
      const same = say(
        `workdir ${path} already holds the run of ${r.vm}; continuing with it`,
        `작업 디렉터리 ${path}에 이미 ${r.vm}의 실행이 있어 이어서 진행합니다`,
      );
      ctx.emitter.log("info", STEP, same);
      return { workdir: path, manifest, alreadyInitialized: true };
    }
  }
  const manifest = await withVsphere(r.vcenter, { readStdin: ctx.readStdin, signal: ctx.signal }, undefined, async ({ bridge, access }) =>
    manifestFor(r, await bridge.inventory({ name: r.vm }), { runId, access, dst }, ctx),
  );
  if (r.networkMap) manifest.networkMap = r.networkMap;
  const wd = Workdir.create(path, manifest, ctx.emitter, STEP);
  try {
    ctx.emitter.emit({
      type: "phase",
      step: STEP,
      phase: "initialized",
      message: say(
        `inventory of ${manifest.vm.name} (${manifest.vm.moref}) taken: ${manifest.disks.length} disk(s)`,
        `${manifest.vm.name}(${manifest.vm.moref})의 인벤토리 수집: 디스크 ${manifest.disks.length}개`,
      ),
    });
    if (manifest.vcenter.insecure)
      await wd.warn(
        STEP,
        "TLS_INSECURE",
        say("vCenter certificate is not verified (--insecure)", "vCenter 인증서를 확인하지 않습니다(--insecure)"),
      );
  } finally {
    wd.release();
  }
  return { workdir: path, manifest, alreadyInitialized: false };
}
