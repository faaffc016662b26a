// Cutover, in order: record intent, shut the source down, prove it is off, final snapshot + final
// sync (the engine's round), guest conversion hook, domain XML, define, optional start, downtime.
// Every step is recorded in manifest.cutover before the next begins, so a re-run after kill -9
// continues where it stopped and never repeats a finished step.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type Workdir } from "../state/index";
import { type VsphereBridge } from "../vsphere/index";
import { type Virsh, resolveDomainType } from "../libvirt/virsh";
import { type ConvertPolicy } from "../convert/plan";
import { convertGuest } from "./convert";
import { defineDomain } from "./define";
import { DOMAIN_OPTIONS_FILE, type DomainOptions, domainFiles, resolveDomainPolicy } from "./domain-config";
import { buildDomainXml } from "./domain-xml";
import { type ShutdownMode, requireSourceOff, shutdownSource } from "./source-power";

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
  bridge: VsphereBridge;
  virsh: Virsh;
  finalRound: FinalRoundFn;
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

export async function runCutover(wd: Workdir, o: CutoverOptions, d: CutoverDeps): Promise<CutoverResult> {
  const m0 = wd.manifest;
  if (m0.phase === "rolled-back" || m0.phase === "cleaned") {
    throw new V2kError("PHASE_ORDER", `this migration is ${m0.phase}`, "Start a new migration with 'init' (a rolled-back run is not cut over again).");
  }
  if (!m0.cutover && !["base-synced", "incr-synced", "cutover-running"].includes(m0.phase)) {
    throw new V2kError("PHASE_ORDER", `cutover needs at least a base copy (phase is ${m0.phase})`, "Run 'sync base' (and incremental rounds) first.");
  }
  const emit = (message: string) => wd.emitter.emit({ type: "phase", step: STEP, phase: "cutover", message });

  // --shutdown already-off with a running source is refused before anything is recorded
  if (o.shutdown === "already-off" && !m0.cutover?.sourceOffAt) {
    await requireSourceOff(d.bridge, m0.vm.moref, "cut over with --shutdown already-off");
  }

  // 1. intent (first run only; a resumed run keeps the original request time and mode)
  if (!m0.cutover) {
    await wd.update((m) => {
      m.cutover = { shutdownMode: o.shutdown, requestedAt: now() };
      m.phase = "cutover-running";
    });
    emit(`cutover requested (shutdown: ${o.shutdown})`);
  } else {
    emit(`cutover resumes (phase ${m0.phase})`);
  }

  // 2. source down and proven off
  if (!wd.manifest.cutover!.sourceOffAt) {
    const r = await shutdownSource(d.bridge, wd.manifest.vm.moref, {
      mode: o.shutdown,
      timeoutSec: o.shutdownTimeoutSec,
      ...(d.signal ? { signal: d.signal } : {}),
      onRequested: (what) => emit(`${what} of the VMware VM requested`),
    });
    await requireSourceOff(d.bridge, wd.manifest.vm.moref, "continue the cutover");
    await wd.update((m) => {
      m.cutover!.sourceOffAt = now();
    });
    emit(r.action === "none" ? "the VMware VM is powered off" : `the VMware VM is powered off (${r.action})`);
  }

  // 3. final snapshot + final sync (the engine resumes its own round)
  if (!wd.manifest.cutover!.finalSyncedAt) {
    await requireSourceOff(d.bridge, wd.manifest.vm.moref, "take the final snapshot");
    emit("final sync");
    await d.finalRound(wd);
    await wd.update((m) => {
      m.cutover!.finalSyncedAt = now();
      if (!donePhases.includes(m.phase)) m.phase = "final-synced";
    });
  }

  // 4. guest conversion: the only place target disks may change after the final sync
  if (!wd.manifest.cutover!.convertedAt) {
    const accel = await resolveDomainType(o.domain["domain-type"], d.virsh);
    await convertGuest({ wd, policy: o.convert, accel, ...(d.signal ? { signal: d.signal } : {}) });
    await wd.update((m) => {
      m.cutover!.convertedAt = now();
    });
  }

  // 5. domain XML (name and uuid recorded before define so rollback always finds the domain)
  const policy = await resolveDomainPolicy(wd.manifest, o.domain, d.virsh);
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

  // 6. define (validated; idempotent for our own domain)
  if (!wd.manifest.cutover!.definedAt) {
    await requireSourceOff(d.bridge, wd.manifest.vm.moref, "define the KVM domain");
    await defineDomain(d.virsh, xml, { name: policy.name, uuid: policy.uuid, runId: wd.manifest.runId, ...(d.signal ? { signal: d.signal } : {}) });
    await wd.update((m) => {
      const c = m.cutover!;
      c.definedAt = now();
      c.downtimeMs = Date.parse(c.definedAt) - Date.parse(c.sourceOffAt!);
      if (m.phase !== "started") m.phase = "defined";
    });
    emit(`libvirt domain '${policy.name}' defined (${policy.domainType}); ${((wd.manifest.cutover!.downtimeMs ?? 0) / 1000).toFixed(1)} s since the source went off`);
  } else if (!wd.manifest.cutover!.startedAt && (await d.virsh.domState(policy.name)) === "shut off") {
    // a re-run before start applies changed XML options (network map, bus, ...) to our domain
    await requireSourceOff(d.bridge, wd.manifest.vm.moref, "define the KVM domain");
    await defineDomain(d.virsh, xml, { name: policy.name, uuid: policy.uuid, runId: wd.manifest.runId, ...(d.signal ? { signal: d.signal } : {}) });
  }

  // 7. start
  if (o.start && !wd.manifest.cutover!.startedAt) {
    await requireSourceOff(d.bridge, wd.manifest.vm.moref, "start the KVM domain");
    if ((await d.virsh.domState(policy.name)) !== "running") await d.virsh.start(policy.name);
    await wd.update((m) => {
      const c = m.cutover!;
      c.startedAt = now();
      c.downtimeMs = Date.parse(c.startedAt) - Date.parse(c.sourceOffAt!);
      m.phase = "started";
    });
    emit(`libvirt domain '${policy.name}' started; downtime ${((wd.manifest.cutover!.downtimeMs ?? 0) / 1000).toFixed(1)} s`);
  }

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
