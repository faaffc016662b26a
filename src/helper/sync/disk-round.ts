// One disk of one round: decide incremental vs rebase, query changed areas (paged, asserted),
// copy them from the snapshot, flush, and only then commit the reached changeId.
import { type Disk, type DiskRound } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { copyDisk, type CopyStats } from "../engine/index";
import { openSource } from "../endpoints/index";
import { openDiskTarget, sourceSpecOf, targetReadsAsZeros, withSourceRetry } from "../disk-access/index";
import { type Workdir } from "../state/workdir";
import { type DiskInfo } from "../vsphere/replies";
import { type VsphereSession } from "../vsphere/session";
import { acquireCopySlots, type CopyLimits } from "./copy-slots";
import { type Pacer, pacedSource } from "./pacing";
import { hostCopyLimits } from "../config/host-config";

export interface CopyTuning {
  jobs?: number | undefined;
  chunkSize?: number | undefined;
  coalesceGap?: number | undefined;
  /** Host-wide copy limits with this migration's overrides (--max-parallel-disks, --bwlimit); default: host config. */
  limits?: CopyLimits | undefined;
}

/** The tracking epoch of a changeId "52 3f ... 1a/12" is the part before the slash. */
export function changeIdEpoch(changeId: string): string {
  const i = changeId.lastIndexOf("/");
  return i < 0 ? changeId : changeId.slice(0, i);
}

export interface DiskRoundContext {
  wd: Workdir;
  session: VsphereSession;
  round: number;
  snapshotMoref: string;
  tuning: CopyTuning;
  signal: AbortSignal;
  step: string;
}

async function setDiskRound(wd: Workdir, round: number, key: number, patch: Partial<DiskRound> & Pick<DiskRound, "status">): Promise<void> {
  await wd.update((m) => {
    const r = m.rounds.find((x) => x.n === round);
    if (!r) throw new Error(`round ${round} missing`);
    const prev = r.disks[String(key)];
    r.disks[String(key)] = {
      ...(prev ?? { snapshotMoref: "", changeIdFrom: "", changeIdTo: "", rebase: false, changedBytes: 0, copiedBytes: 0, zeroedBytes: 0 }),
      ...patch,
    };
  });
}

export async function syncDiskInRound(c: DiskRoundContext, diskKey: number, snap: DiskInfo): Promise<void> {
  const { wd, session, round, snapshotMoref, step } = c;
  const disk = wd.manifest.disks.find((d) => d.key === diskKey)!;
  const done = wd.manifest.rounds.find((r) => r.n === round)?.disks[String(diskKey)];
  if (done?.status === "committed") return;
  if (!snap.changeId) {
    throw new V2kError(
      "CBT_NOT_ACTIVE",
      `${disk.label} has no changeId in snapshot ${snapshotMoref}: change tracking is not active`,
      "Run 'ablestack_v2k cbt enable' (it activates tracking), then re-run the sync.",
    );
  }
  const changeIdTo = snap.changeId;

  // rebase reasons: recorded earlier, capacity change, or a new CBT epoch
  let rebase: string | null = disk.needsRebase;
  if (snap.capacityBytes < disk.capacityBytes) {
    throw new V2kError(
      "TARGET_IO",
      `${disk.label} shrank from ${disk.capacityBytes} to ${snap.capacityBytes} bytes`,
      "Disks cannot shrink in vSphere; check the VM and start a new migration.",
    );
  }
  if (snap.capacityBytes > disk.capacityBytes) rebase = `capacity changed ${disk.capacityBytes} -> ${snap.capacityBytes}`;
  else if (disk.syncedChangeId && changeIdEpoch(disk.syncedChangeId) !== changeIdEpoch(changeIdTo))
    rebase ??= "CBT epoch changed (CBT was reset)";
  // a fresh image file (or an RBD image holding no data) reads as zeros; a block device (or a file left by a crash) does not
  const isBase = disk.syncedChangeId === null && (await targetReadsAsZeros(disk, wd.manifest, snap.capacityBytes));
  let from = disk.syncedChangeId === null || rebase ? "*" : disk.syncedChangeId;

  const query = (changeId: string) =>
    session.bridge.changedAreas(wd.manifest.vm.moref, snapshotMoref, diskKey, changeId, snap.capacityBytes);
  let q;
  try {
    q = await query(from);
  } catch (e) {
    if (from === "*" || !(e instanceof V2kError) || !["CBT_NOT_ACTIVE", "QCDA_INCOMPLETE", "VSPHERE_FAULT"].includes(e.code)) throw e;
    rebase = `changed-area query failed (${e.code}: ${e.message})`;
    from = "*";
    q = await query(from);
  }
  if (rebase) {
    const reason = rebase;
    await wd.update((m) => {
      const d = m.disks.find((x) => x.key === diskKey)!;
      d.needsRebase = reason;
      if (snap.capacityBytes > d.capacityBytes) d.capacityBytes = snap.capacityBytes;
    });
    await wd.warn(step, "DISK_REBASE", `${disk.label}: full copy of allocated areas (rebase): ${reason}`, diskKey);
  }
  const changedBytes = q.areas.reduce((s, a) => s + a[1], 0);
  await setDiskRound(wd, round, diskKey, {
    snapshotMoref,
    changeIdFrom: from,
    changeIdTo,
    rebase: rebase !== null,
    changedBytes,
    copiedBytes: 0,
    zeroedBytes: 0,
    status: "copying",
  });
  wd.emitter.log(
    "info",
    step,
    `${disk.label}: ${from === "*" ? "allocated" : "changed"} areas ${q.areas.length} (${changedBytes} bytes, ${q.calls} QCDA call(s))`,
    diskKey,
  );

  const mode = { zeroUnlisted: (rebase !== null || disk.syncedChangeId === null) && !isBase, targetIsZero: isBase };
  let stats: CopyStats;
  // host-wide, per-ESXi-host and per-datastore caps: wait for a slot, hold it for the copy only
  const slot = await acquireCopySlots(wd, disk, c.tuning.limits ?? { ...hostCopyLimits(), migrationBwlimitMBps: 0 }, step, c.signal);
  try {
    // a copy after a new login or a reset source must not trust the target to read as zeros any more
    stats = await withSourceRetry(
      session.bridge,
      (retry) => copyFromSnapshot(c, disk, snap, q.areas, retry ? { ...mode, targetIsZero: false } : mode, slot.pacer),
      {
        signal: c.signal,
        onRelogin: () =>
          wd.emitter.log(
            "warn",
            step,
            `${disk.label}: the vCenter session expired during the copy; logged in again, copying once more`,
            diskKey,
          ),
        onRetry: (ev) =>
          wd.emitter.log(
            "warn",
            step,
            `${disk.label}: source connection failed (${ev.error.code}: ${ev.error.message}); ` +
              `attempt ${ev.attempt} of ${ev.attempts} in ${(ev.delayMs / 1000).toFixed(0)} s`,
            diskKey,
          ),
      },
    );
  } finally {
    slot.release();
  }
  // the data is durable on the target (copyDisk flushed): now, and only now, advance the changeId
  await wd.update((m) => {
    const d = m.disks.find((x) => x.key === diskKey)!;
    d.syncedChangeId = changeIdTo;
    d.syncedRound = round;
    d.needsRebase = null;
    const r = m.rounds.find((x) => x.n === round)!;
    const dr = r.disks[String(diskKey)]!;
    dr.status = "committed";
    dr.copiedBytes = stats.bytesWritten;
    dr.zeroedBytes = stats.bytesZeroed;
    dr.durationMs = Math.round(stats.durationMs);
  });
}

async function copyFromSnapshot(
  c: DiskRoundContext,
  disk: Disk,
  snap: DiskInfo,
  areas: [number, number][],
  mode: { zeroUnlisted: boolean; targetIsZero: boolean },
  pacer: Pacer,
): Promise<CopyStats> {
  const label = `disk ${disk.key}`;
  const sourceSpec = await sourceSpecOf(c.wd.manifest, c.session, snap.fileName, c.snapshotMoref);
  const source = await openSource(sourceSpec, { disk: label });
  try {
    const target = await openDiskTarget(disk, c.wd.manifest, { size: snap.capacityBytes });
    try {
      if (source.size < snap.capacityBytes) {
        throw new V2kError(
          "NBD_SOURCE_FAILED",
          `${label}: source has ${source.size} bytes, the snapshot says ${snap.capacityBytes}`,
          "The datastore file does not match the disk; re-run the sync.",
        );
      }
      return await copyDisk({
        source: pacedSource(source.source, pacer),
        target: target.target,
        areas: areas.map(([offset, length]) => ({ offset, length })),
        zeroUnlisted: mode.zeroUnlisted,
        targetIsZero: mode.targetIsZero,
        disk: label,
        signal: c.signal,
        ...(c.tuning.jobs !== undefined ? { requests: c.tuning.jobs } : {}),
        ...(c.tuning.chunkSize !== undefined ? { chunkSize: c.tuning.chunkSize } : {}),
        ...(c.tuning.coalesceGap !== undefined ? { coalesceGap: c.tuning.coalesceGap } : {}),
        onProgress: (p) => {
          c.wd.emitter.emit({
            type: "progress",
            step: c.step,
            disk: disk.key,
            bytes: p.bytes,
            total: p.total,
            rateBps: p.rateBps,
            ...(p.etaSec !== undefined ? { etaSec: p.etaSec } : {}),
          });
        },
      });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
