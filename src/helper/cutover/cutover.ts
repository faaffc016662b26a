// Cutover, in order: record intent, shut the source down, prove it is off, final snapshot + final
// sync (the engine's round), guest conversion hook, domain XML, define, quick data verify, optional
// start, downtime.
// Every step is recorded in manifest.cutover before the next begins, so a re-run after kill -9
// continues where it stopped and never repeats a finished step.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type Firmware, domainFirmware } from "../../shared/firmware";
import { say } from "../../shared/i18n/lang";
import { type Workdir } from "../state/index";
import { type VsphereApi } from "../vsphere/api";
import { type Virsh, resolveDomainType } from "../libvirt/virsh";
import { type ConvertPolicy } from "../convert/plan";
import { convertGuest } from "./convert";
import { rehearseConversion } from "../convert/rehearsal";
import { defineDomain } from "../libvirt/define";
import {
  DOMAIN_OPTIONS_FILE,
  type DomainOptions,
  networkMapRecord,
  networksError,
  resolveDomainPolicy,
  resolveNetworks,
} from "./domain-config";
import { domainFiles } from "../libvirt/domain-files";
import { firmwareChoiceWarning } from "../libvirt/firmware-choice";
import { requireHostFirmware } from "../libvirt/host-firmware";
import { buildDomainXml } from "../libvirt/domain-xml";
import { rbdDomainAccess } from "./rbd-access";
import { type ShutdownMode, requireSourceOff, shutdownSource } from "./source-power";
import { type DomainPolicy } from "../libvirt/domain-policy";
import { reopenAfterRollback } from "../sync/retry";

/** The engine's final round: snapshot of the powered-off source, sync, commit, snapshot removal. */
export type FinalRoundFn = (wd: Workdir) => Promise<unknown>;

export interface CutoverOptions {
  shutdown: ShutdownMode;
  shutdownTimeoutSec: number;
  start: boolean;
  domain: DomainOptions;
  convert: ConvertPolicy;
}

export interface CutoverDeps {
  bridge: VsphereApi;
  virsh: Virsh;
  finalRound: FinalRoundFn;
  /** Quick data verify between define and start (recorded in manifest.verify); absent: skipped (--no-verify). */
  dataVerify?: (wd: Workdir) => Promise<unknown>;
  signal?: AbortSignal;
}

export interface CutoverResult {
  domainName: string;
  domainUuid: string;
  xmlPath: string;
  consoleLog: string;
  started: boolean;
  sourceOffAt: string;
  downtimeMs: number;
  phase: Manifest["phase"];
}

const STEP = "cutover";
const donePhases: Manifest["phase"][] = ["final-synced", "defined", "started"];

function now(): string {
  return new Date().toISOString();
}

/** One cutover's workdir, options and dependencies, as each phase below takes them. */
interface Cutover {
  wd: Workdir;
  o: CutoverOptions;
  d: CutoverDeps;
  /** The domain's firmware (--firmware against the VMware VM's), decided once for rehearsal, conversion and define. */
  firmware: Firmware;
  emit(message: string): void;
}

/** The domain as this cutover defines it: its policy, files and XML. */
interface DomainPlan {
  policy: DomainPolicy;
  files: ReturnType<typeof domainFiles>;
  xml: string;
}

const withSignal = (d: CutoverDeps) => (d.signal ? { signal: d.signal } : {});

export async function runCutover(wd: Workdir, o: CutoverOptions, d: CutoverDeps): Promise<CutoverResult> {
  const m0 = await reopenCutover(wd);
  const c: Cutover = {
    wd,
    o,
    d,
    firmware: domainFirmware(m0.vm, o.domain.firmware),
    emit: (message) => wd.emitter.emit({ type: "phase", step: STEP, phase: "cutover", message }),
  };
  await checkWhileSourceRuns(c, m0);
  await recordIntent(c, m0);
  await shutdownPhase(c);
  await finalRoundPhase(c);
  await conversionPhase(c);
  const plan = await domainPhase(c);
  await definePhase(c, plan);
  await verifyPhase(c);
  await startPhase(c, plan);
  return resultOf(wd, plan);
}

/** The manifest a cutover starts from: not cleaned, a retry after rollback reopened, at least a base copy. */
async function reopenCutover(wd: Workdir): Promise<Manifest> {
  if (wd.manifest.phase === "cleaned") {
    throw new V2kError("PHASE_ORDER", "this migration is cleaned", "Start a new migration with 'init'.");
  }
  // a retry after rollback: the old cutover is archived, this one repeats shutdown and final sync
  await reopenAfterRollback(wd, STEP);
  const m0 = wd.manifest;
  if (!m0.cutover && !["base-synced", "incr-synced", "cutover-running"].includes(m0.phase)) {
    throw new V2kError(
      "PHASE_ORDER",
      `cutover needs at least a base copy (phase is ${m0.phase})`,
      "Run 'sync base' (and incremental rounds) first.",
    );
  }
  return m0;
}

/** What must hold before the source goes down: refused here, nothing is recorded and the source keeps running. */
async function checkWhileSourceRuns({ wd, o, d, firmware }: Cutover, m0: Manifest): Promise<void> {
  // --shutdown already-off with a running source is refused before anything is recorded
  if (o.shutdown === "already-off" && !m0.cutover?.sourceOffAt) {
    await requireSourceOff(d.bridge, m0.vm.moref, "cut over with --shutdown already-off");
  }
  // libvirt must answer while the source still runs: a stopped or crashed libvirtd would strand the cutover after shutdown
  if (!m0.cutover?.sourceOffAt) await d.virsh.version();
  // every NIC's network exists and is active, checked while the source still runs; the map is saved until start
  await checkAndRecordNetworks(wd, o.domain, d.virsh, firmware);
  // the UEFI firmware the domain asks for is on this host (define would fail with the source already off)
  if (!m0.cutover?.sourceOffAt) requireHostFirmware(firmware);
  // 0. the conversion rehearsed on a throwaway copy while the source still runs (first run only)
  if (!m0.cutover) {
    const accel = await resolveDomainType(o.domain["domain-type"], d.virsh);
    await rehearseConversion(wd, { policy: o.convert, accel, firmware, ...withSignal(d) });
  }
}

/** 1. intent (first run only; a resumed run keeps the original request time and mode). */
async function recordIntent({ wd, o, emit }: Cutover, m0: Manifest): Promise<void> {
  if (m0.cutover) return emit(say(`cutover resumes (phase ${m0.phase})`, `컷오버를 이어서 진행합니다(단계 ${m0.phase})`));
  await wd.update((m) => {
    m.cutover = { shutdownMode: o.shutdown, requestedAt: now() };
    m.phase = "cutover-running";
  });
  emit(say(`cutover requested (shutdown: ${o.shutdown})`, `컷오버 요청(종료 방식: ${o.shutdown})`));
  // a firmware other than the VMware VM's: the admin was told at preflight and on the page; the record keeps it
  const firmware = firmwareChoiceWarning(m0.vm, o.domain.firmware);
  if (firmware) await wd.warn(STEP, "FIRMWARE_CHANGED", firmware);
}

/** 2. source down and proven off. */
async function shutdownPhase({ wd, o, d, emit }: Cutover): Promise<void> {
  if (wd.manifest.cutover!.sourceOffAt) return;
  const r = await shutdownSource(d.bridge, wd.manifest.vm.moref, {
    mode: o.shutdown,
    timeoutSec: o.shutdownTimeoutSec,
    ...withSignal(d),
    onRequested: (what) =>
      emit(
        what === "power-off"
          ? say("power-off of the VMware VM requested", "VMware VM 전원 끄기를 요청했습니다")
          : say("guest shutdown of the VMware VM requested", "VMware VM 게스트 종료를 요청했습니다"),
      ),
  });
  await requireSourceOff(d.bridge, wd.manifest.vm.moref, "continue the cutover");
  await wd.update((m) => {
    m.cutover!.sourceOffAt = now();
    const how = r.action === "none" ? "already off" : r.action;
    m.cutover!.sourceOffEvidence = `vCenter reported powerState poweredOff at ${m.cutover!.sourceOffAt} (${how})`;
  });
  emit(
    r.action === "none"
      ? say("the VMware VM is powered off", "VMware VM이 꺼졌습니다")
      : say(`the VMware VM is powered off (${r.action})`, `VMware VM이 꺼졌습니다(${r.action})`),
  );
}

/** 3. final snapshot + final sync (the engine resumes its own round). */
async function finalRoundPhase({ wd, d, emit }: Cutover): Promise<void> {
  if (wd.manifest.cutover!.finalSyncedAt) return;
  await requireSourceOff(d.bridge, wd.manifest.vm.moref, "take the final snapshot");
  emit(say("final sync", "최종 동기화"));
  await d.finalRound(wd);
  await wd.update((m) => {
    m.cutover!.finalSyncedAt = now();
    if (!donePhases.includes(m.phase)) m.phase = "final-synced";
  });
}

/** 4. guest conversion: the only place target disks may change after the final sync. */
async function conversionPhase({ wd, o, d, firmware }: Cutover): Promise<void> {
  if (wd.manifest.cutover!.convertedAt) return;
  const accel = await resolveDomainType(o.domain["domain-type"], d.virsh);
  await convertGuest({ wd, policy: o.convert, accel, firmware, ...withSignal(d) });
  await wd.update((m) => {
    m.cutover!.convertedAt = now();
  });
}

/** 5. domain XML (name and uuid recorded before define so rollback always finds the domain). */
async function domainPhase({ wd, o, d, firmware, emit }: Cutover): Promise<DomainPlan> {
  const rbd = await rbdDomainAccess(wd, d.virsh);
  const resolved = await resolveDomainPolicy(wd.manifest, o.domain, d.virsh, { hostNetworkDefault: true, firmware });
  const policy = { ...resolved, ...(rbd ? { rbd } : {}) };
  if (policy.networkDefaultSource && wd.manifest.cutover!.networkDefaultSource !== policy.networkDefaultSource) {
    const target = o.domain["network-map-default"] ?? describeTarget(policy);
    const source = policy.networkDefaultSource;
    emit(
      say(
        `unmapped port groups go to ${target} (chosen by ${source})`,
        `매핑되지 않은 포트 그룹은 ${target}에 연결합니다(결정: ${source})`,
      ),
    );
    await wd.update((m) => {
      m.cutover!.networkDefaultSource = policy.networkDefaultSource!;
    });
  }
  const files = domainFiles(wd.manifest, policy.name);
  const xml = buildDomainXml(wd.manifest, policy);
  writeFileSync(files.xml, xml, { mode: 0o600 });
  // verify --mode boot rebuilds the same domain (isolated) from these choices
  writeFileSync(join(wd.path, DOMAIN_OPTIONS_FILE), JSON.stringify(o.domain, null, 2) + "\n", { mode: 0o600 });
  if (wd.manifest.cutover!.domainName !== policy.name || wd.manifest.cutover!.domainUuid !== policy.uuid) {
    await wd.update((m) => {
      m.cutover!.domainName = policy.name;
      m.cutover!.domainUuid = policy.uuid;
      m.cutover!.xmlPath = files.xml;
    });
  }
  return { policy, files, xml };
}

async function define({ wd, d }: Cutover, { policy, xml }: DomainPlan): Promise<void> {
  await requireSourceOff(d.bridge, wd.manifest.vm.moref, "define the KVM domain");
  await defineDomain(d.virsh, xml, { name: policy.name, uuid: policy.uuid, runId: wd.manifest.runId, ...withSignal(d) });
}

/** 6. define (validated; idempotent for our own domain). */
async function definePhase(c: Cutover, plan: DomainPlan): Promise<void> {
  const { wd, d, emit } = c;
  const { policy } = plan;
  if (!wd.manifest.cutover!.definedAt) {
    await define(c, plan);
    await wd.update((m) => {
      const cut = m.cutover!;
      cut.definedAt = now();
      cut.downtimeMs = Date.parse(cut.definedAt) - Date.parse(cut.sourceOffAt!);
      if (m.phase !== "started") m.phase = "defined";
    });
    const seconds = ((wd.manifest.cutover!.downtimeMs ?? 0) / 1000).toFixed(1);
    emit(
      say(
        `libvirt domain '${policy.name}' defined (${policy.domainType}); ${seconds} s since the source went off`,
        `libvirt 도메인 '${policy.name}'을(를) 정의했습니다(${policy.domainType}). 원본이 꺼진 지 ${seconds}초`,
      ),
    );
  } else if (!wd.manifest.cutover!.startedAt && (await d.virsh.domState(policy.name)) === "shut off") {
    // a re-run before start applies changed XML options (network map, bus, ...) to our domain
    await define(c, plan);
  }
}

/** 7. quick data verify of the defined, never started target against the powered-off source. */
async function verifyPhase({ wd, d }: Cutover): Promise<void> {
  if (!d.dataVerify || wd.manifest.cutover!.verifiedAt || wd.manifest.cutover!.domainRanAt) return;
  await requireSourceOff(d.bridge, wd.manifest.vm.moref, "verify the target against the source");
  await d.dataVerify(wd); // a mismatch throws VERIFY_MISMATCH: the domain is not started
  await wd.update((m) => {
    m.cutover!.verifiedAt = now();
  });
}

/** 8. start (the run is marked before virsh start: from then on the guest may write the targets). */
async function startPhase({ wd, o, d, emit }: Cutover, { policy }: DomainPlan): Promise<void> {
  if (!o.start || wd.manifest.cutover!.startedAt) return;
  await requireSourceOff(d.bridge, wd.manifest.vm.moref, "start the KVM domain");
  if (!wd.manifest.cutover!.domainRanAt) {
    await wd.update((m) => {
      m.cutover!.domainRanAt = now();
    });
  }
  if ((await d.virsh.domState(policy.name)) !== "running") await d.virsh.start(policy.name);
  await wd.update((m) => {
    const c = m.cutover!;
    c.startedAt = now();
    c.downtimeMs = Date.parse(c.startedAt) - Date.parse(c.sourceOffAt!);
    m.phase = "started";
  });
  const downtime = ((wd.manifest.cutover!.downtimeMs ?? 0) / 1000).toFixed(1);
  emit(
    say(
      `libvirt domain '${policy.name}' started; downtime ${downtime} s`,
      `libvirt 도메인 '${policy.name}'을(를) 시작했습니다. 다운타임 ${downtime}초`,
    ),
  );
}

function resultOf(wd: Workdir, { policy, files }: DomainPlan): CutoverResult {
  const c = wd.manifest.cutover!;
  return {
    domainName: policy.name,
    domainUuid: policy.uuid,
    xmlPath: files.xml,
    consoleLog: files.consoleLog,
    started: c.startedAt !== undefined,
    sourceOffAt: c.sourceOffAt!,
    downtimeMs: c.downtimeMs ?? 0,
    phase: wd.manifest.phase,
  };
}

async function checkAndRecordNetworks(wd: Workdir, o: DomainOptions, virsh: Virsh, firmware: Firmware): Promise<void> {
  // the domain's other choices (type, uuid) are refused here too, while the source still runs
  const policy = await resolveDomainPolicy(wd.manifest, o, virsh, { firmware });
  const r = await resolveNetworks(
    wd.manifest.nics.map((n) => n.network),
    policy.networkMap,
    o["network-map-default"],
    virsh,
  );
  if (!r.ok) throw networksError(r);
  const record = networkMapRecord(policy.networkMap);
  if (!wd.manifest.cutover?.startedAt && JSON.stringify(record) !== JSON.stringify(wd.manifest.networkMap ?? {})) {
    await wd.update((m) => {
      m.networkMap = record;
    });
  }
}

function describeTarget(p: DomainPolicy): string {
  return p.networkDefault ? `${p.networkDefault.kind}:${p.networkDefault.name}` : say("(none)", "(없음)");
}
