// cleanup: migration snapshots (ours only), leftover data-path processes, optionally the target
// disks and the workdir. Default: snapshots removed, target and workdir kept.
import { rmSync } from "node:fs";
import { V2kError } from "../../shared/v2k-error";
import { type Workdir } from "../state/index";
import { type VsphereApi } from "../vsphere/api";
import { type Virsh } from "../libvirt/virsh";
import { isOurDomain } from "../libvirt/define";
import { removeBootCheckLeftovers } from "../verify/boot-check";
import { removeOwnSnapshots } from "./snapshots";
import { stopLeftoverProcesses } from "./processes";
import { qemuFilenameOf, removeRunTarget } from "../disk-access/index";
import { say } from "../../shared/i18n/lang";
import { notOurs, notRemoved } from "../state/kept-targets";

export interface CleanupOptions {
  deleteSnapshots: boolean;
  deleteTarget: boolean;
  removeWorkdir: boolean;
}

export interface CleanupResult {
  snapshotsRemoved: string[];
  processesStopped: { pid: number; program: string }[];
  targetsRemoved: string[];
  workdirKept: boolean;
}

const STEP = "cleanup";

export async function runCleanup(
  wd: Workdir,
  o: CleanupOptions,
  deps: { bridge: VsphereApi | null; virsh: Virsh },
): Promise<CleanupResult> {
  const m = wd.manifest;
  const domain = m.cutover?.domainName;
  if (o.deleteTarget && domain && (await isOurDomain(deps.virsh, domain, m.runId))) {
    throw new V2kError(
      "PHASE_ORDER",
      `the libvirt domain '${domain}' still uses the target disks`,
      "Run 'rollback --remove-disks' to remove the domain and its disks, or clean up without --delete-target.",
    );
  }
  if (domain && (await removeBootCheckLeftovers(deps.virsh, wd.path, domain, m.runId))) {
    wd.emitter.log(
      "info",
      STEP,
      say("stopped the transient domain of an interrupted boot check", "중단된 부팅 점검의 임시 도메인을 멈췄습니다"),
    );
  }
  // qemu-nbd names an RBD image by its qemu filename (with conf and id)
  const served = m.disks.map((d) => qemuFilenameOf(d, m));
  const stopped = await stopLeftoverProcesses(wd.path, served);
  for (const p of stopped)
    wd.emitter.log("info", STEP, say(`stopped leftover ${p.program} (pid ${p.pid})`, `남은 ${p.program}(pid ${p.pid})을(를) 멈췄습니다`));

  let snapshotsRemoved: string[] = [];
  if (o.deleteSnapshots) {
    if (!deps.bridge) throw new Error("cleanup needs the vSphere bridge to delete snapshots");
    snapshotsRemoved = (await removeOwnSnapshots(wd, deps.bridge, STEP)).removed;
  }

  const targetsRemoved: string[] = [];
  if (o.deleteTarget) {
    for (const d of m.disks) {
      const r = await removeRunTarget(d, m);
      // a file target absent already counts as removed (cleanup may be repeated)
      if (r === "removed" || (r === "absent" && d.target.mode === "file")) targetsRemoved.push(d.target.path);
      if (r === "foreign") await wd.warn(STEP, "TARGET_KEPT", notOurs(d.key, d.target.path), d.key);
      if (r === "kept") await wd.warn(STEP, "TARGET_KEPT", notRemoved(d.key, d.target.mode, d.target.path, "cleanup"), d.key);
    }
  }

  await wd.update((mm) => {
    mm.cleanup = {
      at: new Date().toISOString(),
      snapshotsRemoved: [...(mm.cleanup?.snapshotsRemoved ?? []), ...snapshotsRemoved],
      workdirKept: !o.removeWorkdir,
    };
    mm.phase = "cleaned";
    mm.lastError = null; // withWorkdir must not write into a removed workdir afterwards
  });
  wd.emitter.emit({
    type: "phase",
    step: STEP,
    phase: "cleaned",
    message: say(`cleanup done: ${snapshotsRemoved.length} snapshot(s) removed`, `정리 완료: 스냅샷 ${snapshotsRemoved.length}개 삭제`),
  });
  if (o.removeWorkdir) {
    // the command's last events (its result line) still go to events.log: remove the workdir when
    // the helper exits, after them (the lock is held until then, so nobody else starts in it)
    const path = wd.path;
    process.once("exit", () => rmSync(path, { recursive: true, force: true }));
    wd.emitter.log(
      "info",
      STEP,
      say(`the workdir ${path} is removed when this command ends`, `이 명령이 끝나면 작업 디렉터리 ${path}를 지웁니다`),
    );
  }
  return {
    snapshotsRemoved,
    processesStopped: stopped.map((p) => ({ pid: p.pid, program: p.program })),
    targetsRemoved,
    workdirKept: !o.removeWorkdir,
  };
}
