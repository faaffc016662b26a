// The runbook's Go/No-Go list. Every check reports pass/warn/fail with a reason; any fail is No-Go.
// Preflight needs no workdir (the page runs it before init) and never changes anything on VMware.
import { V2kError } from "../../shared/v2k-error";
import { type VcenterFlags } from "../config/vcenter-access";
import { connectVsphere, type VsphereContext } from "../vsphere/session";
import { type InventoryResult } from "../vsphere/replies";
import { checkHostTools } from "./host-tools";
import { dstFreeBytes, gib } from "./dst-space";
import { parseTargetDevices } from "./block-targets";
import { firmwareChecks } from "./firmware-check";
import { type FirmwareChoice } from "../../shared/firmware";
import { conversionCheck } from "../convert/preflight";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { defaultWorkdirRoot } from "../state/workdir";
import { alreadyMigratedChecks, candidateTargets } from "./already-migrated";
import { networkCheck } from "./network-check";
import { checkTargetRequest, type TargetStorage } from "./target-request";
import { type RbdTargetRequest } from "./rbd-targets";
import { rbdPreflight } from "./rbd-check";
import { say } from "../../shared/i18n/lang";

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
  /** --firmware: the domain's firmware (auto: the VMware VM's); another one is a warning. */
  firmware?: FirmwareChoice | undefined;
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
    say("Power state", "전원 상태"),
    inv.powerState === "suspended" ? "fail" : inv.powerState === "poweredOff" ? "warn" : "pass",
    inv.powerState === "poweredOn"
      ? say("powered on: warm migration keeps it running until cutover", "켜짐: 웜 마이그레이션 동안 컷오버까지 계속 실행됩니다")
      : inv.powerState === "poweredOff"
        ? say(
            "powered off: the migration is a cold copy (fine, but no warm phase)",
            "꺼짐: 콜드 복사가 됩니다(가능하지만 웜 단계가 없습니다)",
          )
        : say("suspended: resume or power off the VM first", "일시 중단됨: 먼저 VM을 재개하거나 끄세요"),
  );
  // a guest shutdown at cutover needs VMware Tools in the running VM; without them only power off works
  if (inv.powerState === "poweredOn") {
    add(
      "guest-tools",
      "VMware Tools",
      inv.toolsRunning ? "pass" : "warn",
      inv.toolsRunning
        ? say("running: cutover can shut the guest down", "실행 중: 컷오버가 게스트를 종료할 수 있습니다")
        : say(
            "not running: a guest shutdown is impossible, cutover must power the VM off",
            "실행 중 아님: 게스트 종료가 불가능하므로 컷오버는 VM 전원을 꺼야 합니다",
          ),
    );
  }
}

/** Disks that cannot be snapshotted or tracked, existing snapshots, pending consolidation. */
function diskChecks(inv: InventoryResult, add: AddCheck): void {
  const blockers: string[] = [];
  for (const d of inv.disks) {
    if (d.diskMode.startsWith("independent"))
      blockers.push(say(`${d.label} is ${d.diskMode} (cannot be snapshotted)`, `${d.label}: ${d.diskMode} (스냅샷 불가)`));
    if (d.rdm === "physical") blockers.push(say(`${d.label} is a physical-mode RDM`, `${d.label}: 물리 모드 RDM`));
    if (d.sharing !== "sharingNone") blockers.push(say(`${d.label} is shared (${d.sharing})`, `${d.label}: 공유 디스크(${d.sharing})`));
  }
  add(
    "cbt-disks",
    say("Disks support CBT and snapshots", "디스크의 CBT와 스냅샷 지원"),
    blockers.length ? "fail" : "pass",
    blockers.length
      ? blockers.join("; ")
      : say(`${inv.disks.length} disk(s), all snapshot-capable`, `디스크 ${inv.disks.length}개, 모두 스냅샷 가능`),
  );

  const cbt = cbtCapability(inv);
  add("cbt-capable", say("The VM can track changed blocks", "VM의 변경 블록 추적(CBT) 가능 여부"), cbt.ok ? "pass" : "fail", cbt.reason);

  add(
    "snapshots",
    say("No existing snapshots", "기존 스냅샷 없음"),
    inv.snapshots.length > 0 ? "fail" : "pass",
    inv.snapshots.length > 0
      ? say(
          `existing snapshot(s): ${snapshotList(inv)}; delete or consolidate them first`,
          `기존 스냅샷: ${snapshotList(inv)}. 먼저 삭제하거나 통합하세요`,
        )
      : say("none", "없음"),
  );
  add(
    "consolidation",
    say("No consolidation needed", "디스크 통합 필요 없음"),
    inv.consolidationNeeded ? "fail" : "pass",
    inv.consolidationNeeded
      ? say(
          "vSphere reports that the disks need consolidation; consolidate in the vSphere client first",
          "vSphere가 디스크 통합이 필요하다고 알립니다. 먼저 vSphere Client에서 통합하세요",
        )
      : say("not needed", "필요 없음"),
  );
}

function snapshotList(inv: InventoryResult): string {
  return inv.snapshots.map((s) => `'${s.name}' (${s.moref})`).join(", ");
}

/** Controllers, disks and NICs that map to the KVM domain. */
function layoutCheck(inv: InventoryResult, add: AddCheck): void {
  const ctrlByKey = new Map(inv.controllers.map((c) => [c.key, c]));
  const layoutProblems: string[] = [];
  const warnings: string[] = [];
  if (inv.disks.length === 0) layoutProblems.push(say("the VM has no disks", "VM에 디스크가 없습니다"));
  for (const c of inv.controllers)
    if (!SUPPORTED_CONTROLLERS.includes(c.type))
      layoutProblems.push(
        say(`controller ${c.key} type ${c.type} is not supported`, `컨트롤러 ${c.key}의 유형 ${c.type}은 지원하지 않습니다`),
      );
  for (const d of inv.disks)
    if (!ctrlByKey.has(d.controllerKey))
      layoutProblems.push(
        say(`${d.label} sits on unknown controller ${d.controllerKey}`, `${d.label}: 알 수 없는 컨트롤러 ${d.controllerKey}`),
      );
  for (const n of inv.nics) {
    if (n.model === "unknown" || n.model === "sriov")
      warnings.push(say(`${n.label} model ${n.model} maps to virtio/e1000e`, `${n.label}: 모델 ${n.model}은 virtio/e1000e로 바뀝니다`));
    if (!n.network) warnings.push(say(`${n.label} has no port group`, `${n.label}: 포트 그룹 없음`));
  }
  if (inv.nics.length === 0) warnings.push(say("the VM has no NIC", "VM에 NIC가 없습니다"));
  const controllers = [...new Set(inv.controllers.filter((c) => inv.disks.some((d) => d.controllerKey === c.key)).map((c) => c.type))];
  const models = [...new Set(inv.nics.map((n) => n.model))].join("/");
  const summary = say(
    `${inv.disks.length} disk(s) on ${controllers.join("/") || "-"}, ${inv.nics.length} NIC(s) ${models}`,
    `디스크 ${inv.disks.length}개(${controllers.join("/") || "-"}), NIC ${inv.nics.length}개 ${models}`,
  );
  add(
    "layout",
    say("Disk, controller and NIC layout", "디스크, 컨트롤러, NIC 구성"),
    layoutProblems.length ? "fail" : warnings.length ? "warn" : "pass",
    [...layoutProblems, ...warnings].join("; ") || summary,
  );
}

const windowsTitle = () => say("Windows fast startup / hibernation", "Windows 빠른 시작 / 최대 절전");

/** Windows fast startup and hibernation, vTPM, the ESXi version. */
function guestChecks(inv: InventoryResult, add: AddCheck): void {
  if (isWindowsGuest(inv.guestId)) {
    const fast = inv.guestinfo["guestinfo.windowsFastStartup"];
    const hib = inv.guestinfo["guestinfo.hibernation"];
    const bad = [
      fast === "true" ? say("fast startup is on", "빠른 시작 켜짐") : "",
      hib === "true" ? say("hibernation is on", "최대 절전 켜짐") : "",
    ].filter(Boolean);
    const unknown = fast === undefined && hib === undefined;
    add(
      "windows-hibernation",
      windowsTitle(),
      bad.length || unknown ? "warn" : "pass",
      bad.length
        ? say(
            `${bad.join(", ")}: disable both (powercfg /h off) or the guest may not shut down cleanly`,
            `${bad.join(", ")}: 둘 다 끄세요(powercfg /h off). 그렇지 않으면 게스트가 깨끗하게 종료되지 않을 수 있습니다`,
          )
        : unknown
          ? say(
              "cannot tell from vSphere: make sure fast startup and hibernation are off (powercfg /h off)",
              "vSphere로는 알 수 없습니다: 빠른 시작과 최대 절전이 꺼져 있는지 확인하세요(powercfg /h off)",
            )
          : say("both off", "둘 다 꺼짐"),
    );
  } else {
    add("windows-hibernation", windowsTitle(), "pass", say(`not a Windows guest (${inv.guestId})`, `Windows 게스트 아님(${inv.guestId})`));
  }

  add(
    "vtpm",
    say("Virtual TPM", "가상 TPM"),
    inv.vtpm ? "warn" : "pass",
    inv.vtpm
      ? say(
          "the VM has a vTPM: its state (BitLocker keys, measured boot) is not transferred; suspend BitLocker first",
          "VM에 vTPM이 있습니다: 그 상태(BitLocker 키, 측정 부팅)는 옮겨지지 않습니다. 먼저 BitLocker를 일시 중단하세요",
        )
      : say("none", "없음"),
  );

  if (inv.host && /^6\.0\./.test(inv.host.version)) {
    add(
      "esxi-version",
      say("ESXi version", "ESXi 버전"),
      "warn",
      say(
        `ESXi ${inv.host.version} build ${inv.host.build}: check KB 2136854 (CBT consolidation bug) is patched`,
        `ESXi ${inv.host.version} 빌드 ${inv.host.build}: KB 2136854(CBT 통합 버그) 패치 여부를 확인하세요`,
      ),
    );
  } else if (inv.host) {
    add(
      "esxi-version",
      say("ESXi version", "ESXi 버전"),
      "pass",
      say(`ESXi ${inv.host.version} build ${inv.host.build}`, `ESXi ${inv.host.version} 빌드 ${inv.host.build}`),
    );
  }
}

/** Checks that depend only on the inventory and the chosen firmware (unit-testable without vSphere). */
export function inventoryChecks(inv: InventoryResult, firmware: FirmwareChoice = "auto"): Check[] {
  const checks: Check[] = [];
  const add: AddCheck = (id, title, status, reason) => checks.push({ id, title, status, reason });
  for (const group of [powerChecks, diskChecks, layoutCheck]) group(inv, add);
  checks.push(...firmwareChecks(inv, firmware));
  guestChecks(inv, add);
  return checks;
}

export async function runPreflight(input: PreflightInput, ctx: VsphereContext): Promise<PreflightResult> {
  const storage = input.targetStorage ?? "file";
  checkTargetRequest({ ...input.rbd, targetStorage: storage, dst: input.dst, targetDevices: input.targetDevices ?? [] });
  const checks: Check[] = [];
  const notChecked = (id: string, title: string, why: string) =>
    checks.push({ id, title, status: "fail", reason: say(`not checked: ${why}`, `확인하지 못함: ${why}`) });
  const tlsTitle = say("vCenter TLS trust", "vCenter TLS 신뢰");
  const loginTitle = say("vCenter login", "vCenter 로그인");
  const vmTitle = say("VM found", "VM 찾음");

  let inventory: InventoryResult | undefined;
  let vcenterUrl: string | undefined;
  try {
    const session = await connectVsphere(input.flags, ctx);
    vcenterUrl = session.access.url;
    try {
      checks.push({
        id: "tls",
        title: tlsTitle,
        status: session.access.insecure ? "warn" : "pass",
        reason: session.access.insecure
          ? say(
              `--insecure: certificate not verified (seen ${session.certificate.thumbprint})`,
              `--insecure: 인증서를 확인하지 않았습니다(받은 지문 ${session.certificate.thumbprint})`,
            )
          : say(
              `certificate matches pinned thumbprint ${session.certificate.thumbprint}`,
              `인증서가 고정된 지문 ${session.certificate.thumbprint}과 일치합니다`,
            ),
      });
      checks.push({
        id: "login",
        title: loginTitle,
        status: "pass",
        reason: say(
          `logged in to ${session.access.url} as ${session.access.username}`,
          `${session.access.url}에 ${session.access.username}(으)로 로그인했습니다`,
        ),
      });
      try {
        inventory = await session.bridge.inventory({ name: input.vm });
        checks.push({
          id: "vm",
          title: vmTitle,
          status: "pass",
          reason: `${inventory.name} (${inventory.moref}), ${inventory.guestFullName ?? inventory.guestId}`,
        });
      } catch (e) {
        if (!(e instanceof V2kError) || e.code !== "VM_NOT_FOUND") throw e;
        checks.push({ id: "vm", title: vmTitle, status: "fail", reason: e.message });
      }
    } finally {
      await session.bridge.close();
    }
  } catch (e) {
    if (!(e instanceof V2kError) || e.code === "INTERNAL" || e.code === "USAGE") throw e;
    const id = e.code === "TLS_UNTRUSTED" ? "tls" : e.code === "VCENTER_UNREACHABLE" ? "tls" : "login";
    const info = e.toInfo(); // in the helper's language
    checks.push({ id, title: id === "tls" ? tlsTitle : loginTitle, status: "fail", reason: `${info.code}: ${info.message}. ${info.hint}` });
    if (id === "tls") notChecked("login", loginTitle, say("vCenter not reachable or not trusted", "vCenter에 닿지 않거나 신뢰할 수 없음"));
    notChecked("vm", vmTitle, say("no vCenter session", "vCenter 세션 없음"));
  }

  if (inventory) checks.push(...inventoryChecks(inventory, input.firmware), conversionCheck(isWindowsGuest(inventory.guestId)));

  if (inventory)
    checks.push(await networkCheck(inventory.nics.map((n) => n.network).filter(Boolean), input.networkMap ?? [], input.networkMapDefault));

  const tools = await checkHostTools(input.transport);
  const missing = tools.filter((t) => !t.ok);
  checks.push({
    id: "host-tools",
    title: say("Host tools", "호스트 도구"),
    status: missing.length ? "fail" : "pass",
    reason: missing.length
      ? missing.map((t) => `${t.tool}: ${t.reason}`).join("; ")
      : say(`${tools.map((t) => t.tool).join(", ")} present`, `${tools.map((t) => t.tool).join(", ")} 있음`),
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
      if (!inventory) throw new V2kError("VM_NOT_FOUND", say("VM unknown", "VM을 모름"), "-");
      const devices = parseTargetDevices(
        targetDevices,
        inventory.disks.map((d, index) => ({ ...d, index })),
      );
      return {
        id: "dst-space",
        title: say("Target devices", "대상 장치"),
        status: "pass",
        reason: [...devices.entries()].map(([k, dev]) => `${k} -> ${dev}`).join(", "),
      };
    } catch (e) {
      if (!(e instanceof V2kError)) throw e;
      return { id: "dst-space", title: say("Target devices", "대상 장치"), status: "fail", reason: `${e.code}: ${e.message}` };
    }
  }
  const title = say("Free space at the target", "대상의 여유 공간");
  try {
    const free = dstFreeBytes(dst);
    if (!inventory) {
      const reason = say(`not checked: VM unknown (${gib(free)} free at ${dst})`, `확인하지 못함: VM을 모름(${dst}에 ${gib(free)} 여유)`);
      return { id: "dst-space", title, status: "fail", reason };
    }
    const needed = inventory.disks.reduce((s, d) => s + d.capacityBytes, 0);
    return {
      id: "dst-space",
      title,
      status: free >= needed ? "pass" : "fail",
      reason: say(`${gib(free)} free at ${dst}, ${gib(needed)} provisioned`, `${dst}에 ${gib(free)} 여유, 할당 크기 ${gib(needed)}`),
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
    problems.push(
      say(
        `virtual hardware ${inv.hardwareVersion} is older than vmx-07; upgrade the VM's compatibility`,
        `가상 하드웨어 ${inv.hardwareVersion}은 vmx-07보다 오래되었습니다. VM 호환성을 올리세요`,
      ),
    );
  if (inv.changeTrackingSupported === false)
    problems.push(
      say(
        "vSphere reports capability.changeTrackingSupported = false for this VM",
        "vSphere가 이 VM의 capability.changeTrackingSupported = false를 알립니다",
      ),
    );
  if (problems.length)
    return {
      ok: false,
      reason: say(`${problems.join("; ")} (no warm migration without CBT)`, `${problems.join("; ")} (CBT 없이는 웜 마이그레이션 불가)`),
    };
  const notReported = say("not reported", "보고 없음");
  return {
    ok: true,
    reason: say(
      `changeTrackingSupported ${inv.changeTrackingSupported ?? notReported}, hardware ${inv.hardwareVersion ?? notReported}`,
      `changeTrackingSupported ${inv.changeTrackingSupported ?? notReported}, 하드웨어 ${inv.hardwareVersion ?? notReported}`,
    ),
  };
}
