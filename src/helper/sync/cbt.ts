// CBT: the config flag (ReconfigVM_Task) and per-disk activation, which needs a stun: we create and
// remove a snapshot of ours (recorded like any other) when a disk has no changeId yet.
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";
import { type Workdir } from "../state/workdir";
import { type VsphereApi } from "../vsphere/api";
import { ensureOwnSnapshot, removeOwnSnapshot, settleOwnSnapshots, stunSnapshotName } from "./own-snapshots";

export interface CbtStatus {
  enabled: boolean;
  active: boolean;
  disks: { key: number; label: string; changeId: string | null }[];
}

/** Read-only: takes the manifest (or a Workdir), so it works while another command holds the lock. */
export async function cbtStatus(wd: Pick<Workdir, "manifest">, bridge: VsphereApi): Promise<CbtStatus> {
  const inv = await bridge.inventory({ moref: wd.manifest.vm.moref });
  const keys = new Set(wd.manifest.disks.map((d) => d.key));
  const disks = inv.disks.filter((d) => keys.has(d.key)).map((d) => ({ key: d.key, label: d.label, changeId: d.changeId }));
  return {
    enabled: inv.changeTrackingEnabled,
    active: inv.changeTrackingEnabled && disks.length > 0 && disks.every((d) => d.changeId !== null),
    disks,
  };
}

export async function cbtEnable(wd: Workdir, bridge: VsphereApi): Promise<CbtStatus & { stunned: boolean; reconfigured: boolean }> {
  const step = "cbt enable";
  await settleOwnSnapshots(wd, bridge, step);
  const before = await cbtStatus(wd, bridge);
  let reconfigured = false;
  if (!before.enabled) {
    reconfigured = (await bridge.cbtEnable(wd.manifest.vm.moref)).changed;
    await wd.update((m) => {
      m.cbt = { enabledByUs: true, enabledAt: new Date().toISOString() };
    });
    wd.emitter.log("info", step, say("changeTrackingEnabled set on the VM", "VM에 changeTrackingEnabled를 설정했습니다"));
  }
  let status = await cbtStatus(wd, bridge);
  let stunned = false;
  if (!status.active) {
    const name = stunSnapshotName(wd.manifest);
    await ensureOwnSnapshot(wd, bridge, { name, round: 0, kind: "base", purpose: "cbt-stun" }, step);
    await removeOwnSnapshot(wd, bridge, name, step);
    stunned = true;
    status = await cbtStatus(wd, bridge);
  }
  if (!status.active) {
    const idle = status.disks
      .filter((d) => d.changeId === null)
      .map((d) => d.label)
      .join(", ");
    const power = (await bridge.vmState(wd.manifest.vm.moref)).powerState;
    throw new V2kError(
      "CBT_NOT_ACTIVE",
      `change tracking is enabled but not active for ${idle} (the VM is ${power})`,
      power === "poweredOn"
        ? "vSphere did not activate tracking at the snapshot stun: check the VM's events and its disks (independent or RDM disks are not tracked), then re-run 'cbt enable'."
        : "Power the VM on (or vMotion it) so that vSphere activates tracking, then re-run 'cbt enable'.",
    );
  }
  if (wd.manifest.phase === "initialized") {
    await wd.update((m) => {
      m.phase = "cbt-enabled";
    });
  }
  wd.emitter.emit({
    type: "phase",
    step,
    phase: wd.manifest.phase,
    message: say(
      `CBT active on ${status.disks.length} disk(s)${stunned ? " (activated by a snapshot stun)" : ""}`,
      `디스크 ${status.disks.length}개에서 CBT 활성${stunned ? "(스냅샷 스턴으로 활성화)" : ""}`,
    ),
  });
  return { ...status, stunned, reconfigured };
}
