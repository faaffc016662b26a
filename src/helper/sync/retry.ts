// A retry on the same workdir after 'rollback': the undone cutover is archived (never resumed), and
// when the KVM domain ran on the targets, every disk is rebased on the next round (full copy of the
// allocated areas, the rest zeroed), because the KVM guest may have written anywhere. The next
// cutover then repeats the shutdown and the final sync from the start.
import { existsSync, statSync } from "node:fs";
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";
import { type Workdir } from "../state/workdir";
import { domainFiles } from "../libvirt/domain-files";
import { defaultDomainName } from "../libvirt/domain-policy";

/** When the KVM domain of the current cutover ran, as far as the workdir can prove it; null: never. */
export function domainRanAt(m: Manifest): string | null {
  const c = m.cutover;
  if (!c) return null;
  if (c.domainRanAt) return c.domainRanAt;
  if (c.startedAt) return c.startedAt;
  // started by hand (virsh start) after a define-only cutover: qemu wrote the console log
  const log = domainFiles(m, c.domainName ?? defaultDomainName(m.vm.name)).consoleLog;
  if (existsSync(log) && statSync(log).size > 0) return statSync(log).mtime.toISOString();
  return null;
}

/** Reopens a rolled-back run for more rounds and a new cutover; false when the run is not rolled back. */
export async function reopenAfterRollback(wd: Workdir, step: string): Promise<boolean> {
  const m = wd.manifest;
  if (m.phase !== "rolled-back") return false;
  if (m.rollback?.disksRemoved) {
    throw new V2kError(
      "PHASE_ORDER",
      "rollback removed the target disks of this run: there is nothing to continue",
      "Start a new migration with 'ablestack_v2k init' (a new workdir).",
    );
  }
  if (!m.rounds.some((r) => r.kind === "base" && r.status === "synced")) {
    throw new V2kError("PHASE_ORDER", "this rolled-back run has no synced base copy", "Start a new migration with 'ablestack_v2k init'.");
  }
  const ran = domainRanAt(m);
  const now = new Date().toISOString();
  await wd.update((mm) => {
    if (mm.cutover) {
      const reason = `undone by rollback at ${mm.rollback?.at ?? now}${ran ? `; the KVM domain ran from ${ran}` : ""}`;
      mm.pastCutovers = [...(mm.pastCutovers ?? []), { ...mm.cutover, ...(ran ? { domainRanAt: ran } : {}), archivedAt: now, reason }];
      delete mm.cutover;
    }
    const rebase = say(
      `the KVM domain ran on this target from ${ran} (rolled back): full copy`,
      `KVM 도메인이 ${ran}부터 이 대상에서 실행되었습니다(롤백됨): 전체 복사`,
    );
    if (ran) for (const d of mm.disks) d.needsRebase = rebase;
    delete mm.rollback;
    mm.phase = mm.rounds.some((r) => r.kind !== "base" && r.status === "synced") ? "incr-synced" : "base-synced";
  });
  wd.emitter.emit({
    type: "phase",
    step,
    phase: wd.manifest.phase,
    message: say(
      "rolled-back run continues on the same workdir; the old cutover is archived" +
        (ran ? ", every disk is rebased (the KVM domain ran on the targets)" : ""),
      `롤백된 실행을 같은 작업 디렉터리에서 이어 갑니다. 이전 컷오버는 보관했습니다` +
        (ran ? ". KVM 도메인이 대상에서 실행되었으므로 모든 디스크를 리베이스합니다" : ""),
    ),
  });
  return true;
}
