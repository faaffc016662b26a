// rollback: back to VMware at any phase. The KVM domain is stopped and undefined (only ours, by the
// run id in its metadata) before the source is powered on, so both never run at once.
import { rmSync } from "node:fs";
import { type Manifest } from "../../shared/manifest";
import { type Workdir } from "../state/index";
import { type VsphereApi } from "../vsphere/api";
import { type Virsh } from "../libvirt/virsh";
import { removeOwnSnapshots } from "../cleanup/snapshots";
import { isOurDomain } from "../libvirt/define";
import { removeBootCheckLeftovers } from "../verify/boot-check";
import { domainFiles } from "../libvirt/domain-files";
import { defaultDomainName } from "../libvirt/domain-policy";
import { removeRbdSecret } from "../cutover/rbd-access";
import { removeRunTarget } from "../disk-access/index";
import { say } from "../../shared/i18n/lang";
import { notOurs, notRemoved } from "../state/kept-targets";

export interface RollbackOptions {
  removeDisks: boolean;
  /** Leave the VMware VM off (default: power it on when it ran at init or a cutover shut it down: sourceToPowerOn). */
  keepSourceOff: boolean;
}

export interface RollbackResult {
  domainName: string | null;
  domainUndefined: boolean;
  disksRemoved: string[];
  snapshotsRemoved: string[];
  sourcePoweredOn: boolean;
  sourcePowerState: string;
}

const STEP = "rollback";

/**
 * Whether rollback powers the VMware VM on (unless --keep-source-off): when it ran at init, or when
 * a cutover shut it down. A cutover that found it off (--shutdown already-off, or already off when
 * the shutdown was due) did not take it down, so a VM that was off at init stays off.
 */
export function sourceToPowerOn(m: Manifest): boolean {
  if (m.vm.powerStateAtInit === "poweredOn") return true;
  const c = m.cutover;
  if (!c || c.shutdownMode === "already-off") return false;
  return !/\(already off\)$/.test(c.sourceOffEvidence ?? "");
}

export async function runRollback(wd: Workdir, o: RollbackOptions, deps: { bridge: VsphereApi; virsh: Virsh }): Promise<RollbackResult> {
  const m = wd.manifest;
  const emit = (message: string) => wd.emitter.emit({ type: "phase", step: STEP, phase: "rollback", message });
  // a cutover killed before recording its name may still have defined the default name
  const name = m.cutover?.domainName ?? (m.cutover ? defaultDomainName(m.vm.name) : null);

  let domainUndefined = false;
  if (name !== null && (await removeBootCheckLeftovers(deps.virsh, wd.path, name, m.runId))) {
    emit(say("an interrupted boot check's transient domain was stopped", "중단된 부팅 점검의 임시 도메인을 멈췄습니다"));
  }
  if (name !== null && (await deps.virsh.exists(name))) {
    if (await isOurDomain(deps.virsh, name, m.runId)) {
      await deps.virsh.destroy(name);
      await deps.virsh.undefine(name);
      domainUndefined = true;
      emit(say(`libvirt domain '${name}' stopped and undefined`, `libvirt 도메인 '${name}'을(를) 멈추고 정의를 지웠습니다`));
    } else {
      const why = say(
        `libvirt domain '${name}' was not created by this migration; left untouched`,
        `libvirt 도메인 '${name}'은(는) 이 마이그레이션이 만들지 않았으므로 그대로 둡니다`,
      );
      await wd.warn(STEP, "DOMAIN_FOREIGN", why);
    }
  }
  if (name !== null) {
    const files = domainFiles(m, name);
    for (const f of [files.nvram, files.xml]) rmSync(f, { force: true });
  }

  if (await removeRbdSecret(m, deps.virsh))
    emit(say("the libvirt secret of the Ceph client was removed", "Ceph 클라이언트의 libvirt 시크릿을 지웠습니다"));

  const disksRemoved: string[] = [];
  if (o.removeDisks) {
    for (const d of m.disks) {
      // only a file, or an RBD image carrying this run's id; anyone else's image and block devices stay
      const r = await removeRunTarget(d, m);
      if (r === "removed") disksRemoved.push(d.target.path);
      if (r === "foreign") await wd.warn(STEP, "TARGET_KEPT", notOurs(d.key, d.target.path), d.key);
      if (r === "kept") await wd.warn(STEP, "TARGET_KEPT", notRemoved(d.key, d.target.mode, d.target.path, "rollback"), d.key);
    }
    if (disksRemoved.length)
      emit(say(`${disksRemoved.length} target disk(s) removed`, `대상 디스크 ${disksRemoved.length}개를 지웠습니다`));
  }

  const snapshotsRemoved = (await removeOwnSnapshots(wd, deps.bridge, STEP)).removed;

  let sourcePoweredOn = false;
  const wanted = !o.keepSourceOff && sourceToPowerOn(m);
  let state = (await deps.bridge.vmState(m.vm.moref)).powerState;
  if (wanted && state === "poweredOff") {
    await deps.bridge.powerOn(m.vm.moref);
    state = (await deps.bridge.vmState(m.vm.moref)).powerState;
    sourcePoweredOn = state === "poweredOn";
    emit(say("the VMware VM is powered on again", "VMware VM을 다시 켰습니다"));
  }

  await wd.update((mm) => {
    mm.rollback = {
      at: new Date().toISOString(),
      sourcePoweredOn: sourcePoweredOn || state === "poweredOn",
      domainUndefined,
      disksRemoved: o.removeDisks,
    };
    mm.phase = "rolled-back";
  });
  return { domainName: name, domainUndefined, disksRemoved, snapshotsRemoved, sourcePoweredOn, sourcePowerState: state };
}
