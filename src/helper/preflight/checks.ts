// The runbook's Go/No-Go list. Every check reports pass/warn/fail with a reason; any fail is No-Go.
// Preflight needs no workdir (the page runs it before init) and never changes anything on VMware.
import { V2kError } from "../../shared/v2k-error";
import { type VcenterFlags } from "../config/vcenter-access";
import { connectVsphere, type VsphereContext } from "../vsphere/session";
import { type InventoryResult } from "../vsphere/replies";
import { checkHostTools } from "./host-tools";
import { dstFreeBytes, gib } from "./dst-space";
import { parseTargetDevices } from "./block-targets";
import { TOOL_PACKAGES, findUefiFirmware } from "../host/tools";
import { conversionCheck } from "../convert/preflight";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { defaultWorkdirRoot } from "../state/workdir";
import { alreadyMigratedChecks, candidateTargets } from "./already-migrated";
import { networkCheck } from "./network-check";
import { checkTargetRequest, type TargetStorage } from "./target-request";
import { type RbdTargetRequest } from "./rbd-targets";
import { rbdPreflight } from "./rbd-check";

export type CheckStatus = "pass" | "warn" | "fail";
export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  reason: string;
}
export interface PreflightResult {
  go: boolean;
  vm: string;
  checks: Check[];
}

export interface PreflightInput {
  vm: string;
  /** File storage: the target directory (required there). */
  dst?: string | undefined;
  transport: "http" | "vddk";
  flags: VcenterFlags;
  /** Where the disks go, as init takes it (default file). */
  targetStorage?: TargetStorage | undefined;
  /** Block storage: DISK=DEVICE specs instead of image files under dst. */
  targetDevices?: string[] | undefined;
  /** RBD storage: the pool or target map, and the cluster's access. */
  rbd?: RbdTargetRequest | undefined;
  /** Where other migrations of the VM are looked for (default: the workdir root). */
  stateRoot?: string | undefined;
  /** --network-map values: checked against the host's networks and bridges. */
  networkMap?: string[] | undefined;
  /** --network-map-default: where unmapped port groups go (else the host's default). */
  networkMapDefault?: string | undefined;
}

const SUPPORTED_CONTROLLERS = ["pvscsi", "lsilogic", "lsilogic-sas", "buslogic", "sata", "nvme", "ide"];

export function isWindowsGuest(guestId: string): boolean {
  return /^win/i.test(guestId);
}

type AddCheck = (id: string, title: string, status: CheckStatus, reason: string) => void;

/** Power state, and whether a guest shutdown will be possible at cutover. */
function powerChecks(inv: InventoryResult, add: AddCheck): void {
  add(
    "power-state",
    "Power state",
    inv.powerState === "suspended" ? "fail" : inv.powerState === "poweredOff" ? "warn" : "pass",
    inv.powerState === "poweredOn"
      ? "powered on: warm migration keeps it running until cutover"
      : inv.powerState === "poweredOff"
        ? "powered off: the migration is a cold copy (fine, but no warm phase)"
        : "suspended: resume or power off the VM first",
  );
  // a guest shutdown at cutover needs VMware Tools in the running VM; without them only power off works
  if (inv.powerState === "poweredOn") {
    add(
      "guest-tools",
      "VMware Tools",
      inv.toolsRunning ? "pass" : "warn",
      inv.toolsRunning
        ? "running: cutover can shut the guest down"
        : "not running: a guest shutdown is impossible, cutover must power the VM off",
    );
  }
}

/** Disks that cannot be snapshotted or tracked, existing snapshots, pending consolidation. */
function diskChecks(inv: InventoryResult, add: AddCheck): void {
  const blockers: string[] = [];
  for (const d of inv.disks) {
    if (d.diskMode.startsWith("independent")) blockers.push(`${d.label} is ${d.diskMode} (cannot be snapshotted)`);
    if (d.rdm === "physical") blockers.push(`${d.label} is a physical-mode RDM`);
    if (d.sharing !== "sharingNone") blockers.push(`${d.label} is shared (${d.sharing})`);
  }
  add(
    "cbt-disks",
    "Disks support CBT and snapshots",
    blockers.length ? "fail" : "pass",
    blockers.length ? blockers.join("; ") : `${inv.disks.length} disk(s), all snapshot-capable`,
  );

  const cbt = cbtCapability(inv);
  add("cbt-capable", "The VM can track changed blocks", cbt.ok ? "pass" : "fail", cbt.reason);

  add(
    "snapshots",
    "No existing snapshots",
    inv.snapshots.length > 0 ? "fail" : "pass",
    inv.snapshots.length > 0
      ? `existing snapshot(s): ${inv.snapshots.map((s) => `'${s.name}' (${s.moref})`).join(", ")}; delete or consolidate them first`
      : "none",
  );
  add(
    "consolidation",
    "No consolidation needed",
    inv.consolidationNeeded ? "fail" : "pass",
    inv.consolidationNeeded ? "vSphere reports that the disks need consolidation; consolidate in the vSphere client first" : "not needed",
  );
}

/** Controllers, disks and NICs that map to the KVM domain. */
function layoutCheck(inv: InventoryResult, add: AddCheck): void {
  const ctrlByKey = new Map(inv.controllers.map((c) => [c.key, c]));
  const layoutProblems: string[] = [];
  const warnings: string[] = [];
  if (inv.disks.length === 0) layoutProblems.push("the VM has no disks");
  for (const c of inv.controllers)
    if (!SUPPORTED_CONTROLLERS.includes(c.type)) layoutProblems.push(`controller ${c.key} type ${c.type} is not supported`);
  for (const d of inv.disks)
    if (!ctrlByKey.has(d.controllerKey)) layoutProblems.push(`${d.label} sits on unknown controller ${d.controllerKey}`);
  for (const n of inv.nics) {
    if (n.model === "unknown" || n.model === "sriov") warnings.push(`${n.label} model ${n.model} maps to virtio/e1000e`);
    if (!n.network) warnings.push(`${n.label} has no port group`);
  }
  if (inv.nics.length === 0) warnings.push("the VM has no NIC");
  const summary =
    `${inv.disks.length} disk(s) on ${[...new Set(inv.controllers.filter((c) => inv.disks.some((d) => d.controllerKey === c.key)).map((c) => c.type))].join("/") || "-"}, ` +
    `${inv.nics.length} NIC(s) ${[...new Set(inv.nics.map((n) => n.model))].join("/")}`;
  add(
    "layout",
    "Disk, controller and NIC layout",
    layoutProblems.length ? "fail" : warnings.length ? "warn" : "pass",
    [...layoutProblems, ...warnings].join("; ") || summary,
  );
}

/** Firmware, Windows fast startup and hibernation, vTPM, the ESXi version. */
function guestChecks(inv: InventoryResult, add: AddCheck): void {
  if (inv.firmware === "efi") {
    // the firmware libvirt's autoselection would pick for our domain XML
    const have = findUefiFirmware(inv.secureBoot);
    add(
      "firmware",
      "Firmware",
      have ? "pass" : "warn",
      `UEFI${inv.secureBoot ? " with secure boot" : ""}: ${have ? `firmware present on this host (${have})` : `install ${TOOL_PACKAGES["uefi-firmware"]}`}`,
    );
  } else {
    add("firmware", "Firmware", "pass", "BIOS");
  }

  if (isWindowsGuest(inv.guestId)) {
    const fast = inv.guestinfo["guestinfo.windowsFastStartup"];
    const hib = inv.guestinfo["guestinfo.hibernation"];
    const bad = [fast === "true" ? "fast startup is on" : "", hib === "true" ? "hibernation is on" : ""].filter(Boolean);
    const unknown = fast === undefined && hib === undefined;
    add(
      "windows-hibernation",
      "Windows fast startup / hibernation",
      bad.length || unknown ? "warn" : "pass",
      bad.length
        ? `${bad.join(", ")}: disable both (powercfg /h off) or the guest may not shut down cleanly`
        : unknown
          ? "cannot tell from vSphere: make sure fast startup and hibernation are off (powercfg /h off)"
          : "both off",
    );
  } else {
    add("windows-hibernation", "Windows fast startup / hibernation", "pass", `not a Windows guest (${inv.guestId})`);
  }

  add(
    "vtpm",
    "Virtual TPM",
    inv.vtpm ? "warn" : "pass",
    inv.vtpm ? "the VM has a vTPM: its state (BitLocker keys, measured boot) is not transferred; suspend BitLocker first" : "none",
  );

  if (inv.host && /^6\.0\./.test(inv.host.version)) {
    add(
      "esxi-version",
      "ESXi version",
      "warn",
      `ESXi ${inv.host.version} build ${inv.host.build}: check KB 2136854 (CBT consolidation bug) is patched`,
    );
  } else if (inv.host) {
    add("esxi-version", "ESXi version", "pass", `ESXi ${inv.host.version} build ${inv.host.build}`);
  }
}

/** Checks that depend only on the inventory (pure: unit-testable). */
export function inventoryChecks(inv: InventoryResult): Check[] {
  const checks: Check[] = [];
  const add: AddCheck = (id, title, status, reason) => checks.push({ id, title, status, reason });
  for (const group of [powerChecks, diskChecks, layoutCheck, guestChecks]) group(inv, add);
  return checks;
}

export async function runPreflight(input: PreflightInput, ctx: VsphereContext): Promise<PreflightResult> {
  const storage = input.targetStorage ?? "file";
  checkTargetRequest({ ...input.rbd, targetStorage: storage, dst: input.dst, targetDevices: input.targetDevices ?? [] });
  const checks: Check[] = [];
  const notChecked = (id: string, title: string, why: string) => checks.push({ id, title, status: "fail", reason: `not checked: ${why}` });

  let inventory: InventoryResult | undefined;
  let vcenterUrl: string | undefined;
  try {
    const session = await connectVsphere(input.flags, ctx);
    vcenterUrl = session.access.url;
    try {
      checks.push({
        id: "tls",
        title: "vCenter TLS trust",
        status: session.access.insecure ? "warn" : "pass",
        reason: session.access.insecure
          ? `--insecure: certificate not verified (seen ${session.certificate.thumbprint})`
          : `certificate matches pinned thumbprint ${session.certificate.thumbprint}`,
      });
      checks.push({
        id: "login",
        title: "vCenter login",
        status: "pass",
        reason: `logged in to ${session.access.url} as ${session.access.username}`,
      });
      try {
        inventory = await session.bridge.inventory({ name: input.vm });
        checks.push({
          id: "vm",
          title: "VM found",
          status: "pass",
          reason: `${inventory.name} (${inventory.moref}), ${inventory.guestFullName ?? inventory.guestId}`,
        });
      } catch (e) {
        if (!(e instanceof V2kError) || e.code !== "VM_NOT_FOUND") throw e;
        checks.push({ id: "vm", title: "VM found", status: "fail", reason: e.message });
      }
    } finally {
      await session.bridge.close();
    }
  } catch (e) {
    if (!(e instanceof V2kError) || e.code === "INTERNAL" || e.code === "USAGE") throw e;
    const id = e.code === "TLS_UNTRUSTED" ? "tls" : e.code === "VCENTER_UNREACHABLE" ? "tls" : "login";
    checks.push({
      id,
      title: id === "tls" ? "vCenter TLS trust" : "vCenter login",
      status: "fail",
      reason: `${e.code}: ${e.message}. ${e.hint}`,
    });
    if (id === "tls") notChecked("login", "vCenter login", "vCenter not reachable or not trusted");
    notChecked("vm", "VM found", "no vCenter session");
  }

  if (inventory) checks.push(...inventoryChecks(inventory), conversionCheck(isWindowsGuest(inventory.guestId)));

  if (inventory)
    checks.push(await networkCheck(inventory.nics.map((n) => n.network).filter(Boolean), input.networkMap ?? [], input.networkMapDefault));

  const tools = await checkHostTools(input.transport);
  const missing = tools.filter((t) => !t.ok);
  checks.push({
    id: "host-tools",
    title: "Host tools",
    status: missing.length ? "fail" : "pass",
    reason: missing.length ? missing.map((t) => `${t.tool}: ${t.reason}`).join("; ") : tools.map((t) => t.tool).join(", ") + " present",
  });

  const target = await targetChecks(input, storage, inventory);
  checks.push(...target.checks);
  if (inventory) {
    const vm = { ...inventory, vcenterUrl: vcenterUrl ?? "" };
    const targets = target.candidates;
    const virsh = new Virsh({ uri: libvirtUri(), timeoutMs: 15_000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    checks.push(...(await alreadyMigratedChecks(virsh, vm, targets, input.stateRoot ?? defaultWorkdirRoot())));
  }
  return { go: checks.every((c) => c.status !== "fail"), vm: input.vm, checks };
}

/** The target's checks, and the files, devices or images the in-use check looks for. */
async function targetChecks(
  input: PreflightInput,
  storage: TargetStorage,
  inventory: InventoryResult | undefined,
): Promise<{ checks: Check[]; candidates: string[] }> {
  if (storage === "rbd") {
    const rbd = await rbdPreflight(input.rbd ?? {}, inventory);
    return { checks: rbd.checks, candidates: rbd.images };
  }
  const devices = storage === "block" ? (input.targetDevices ?? []) : undefined;
  const dst = input.dst ?? "";
  const candidates = inventory ? candidateTargets(inventory.name, inventory.disks.length, dst, devices) : [];
  return { checks: [targetSpaceCheck(dst, devices, inventory)], candidates };
}

/** Room for the disks: free space under dst (file storage) or one device per disk (block storage). */
function targetSpaceCheck(dst: string, targetDevices: string[] | undefined, inventory: InventoryResult | undefined): Check {
  if (targetDevices !== undefined) {
    try {
      if (!inventory) throw new V2kError("VM_NOT_FOUND", "VM unknown", "-");
      const devices = parseTargetDevices(
        targetDevices,
        inventory.disks.map((d, index) => ({ ...d, index })),
      );
      return {
        id: "dst-space",
        title: "Target devices",
        status: "pass",
        reason: [...devices.entries()].map(([k, dev]) => `${k} -> ${dev}`).join(", "),
      };
    } catch (e) {
      if (!(e instanceof V2kError)) throw e;
      return { id: "dst-space", title: "Target devices", status: "fail", reason: `${e.code}: ${e.message}` };
    }
  }
  const title = "Free space at the target";
  try {
    const free = dstFreeBytes(dst);
    if (!inventory) return { id: "dst-space", title, status: "fail", reason: `not checked: VM unknown (${gib(free)} free at ${dst})` };
    const needed = inventory.disks.reduce((s, d) => s + d.capacityBytes, 0);
    return {
      id: "dst-space",
      title,
      status: free >= needed ? "pass" : "fail",
      reason: `${gib(free)} free at ${dst}, ${gib(needed)} provisioned`,
    };
  } catch (e) {
    if (!(e instanceof V2kError)) throw e;
    return { id: "dst-space", title, status: "fail", reason: `${e.code}: ${e.message}` };
  }
}

/** CBT needs virtual hardware 7 or later and a VM whose capability says so. */
export function cbtCapability(inv: Pick<InventoryResult, "changeTrackingSupported" | "hardwareVersion">): { ok: boolean; reason: string } {
  const hw = /^vmx-(\d+)$/.exec(inv.hardwareVersion ?? "");
  const version = hw ? Number(hw[1]) : null;
  const problems: string[] = [];
  if (version !== null && version < 7)
    problems.push(`virtual hardware ${inv.hardwareVersion} is older than vmx-07; upgrade the VM's compatibility`);
  if (inv.changeTrackingSupported === false) problems.push("vSphere reports capability.changeTrackingSupported = false for this VM");
  if (problems.length) return { ok: false, reason: `${problems.join("; ")} (no warm migration without CBT)` };
  return {
    ok: true,
    reason: `changeTrackingSupported ${inv.changeTrackingSupported ?? "not reported"}, hardware ${inv.hardwareVersion ?? "not reported"}`,
  };
}
