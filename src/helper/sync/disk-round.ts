// One disk of one round: decide incremental vs rebase, query changed areas (paged, asserted),
// copy them from the snapshot, flush, and only then commit the reached changeId.
import { type Disk, type DiskRound, type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";
import { copyDisk, type CopyStats } from "../engine/index";
import { HTTP_SOURCE_CONNECTIONS, openSource, type BlockSource, type BlockTarget, type OpenOptions } from "../endpoints/index";
import {
  copyTuningFor,
  openDiskTarget,
  sourceSpecOf,
  targetReadsAsZeros,
  withSourceRetry,
  type SourceRetryEvent,
} from "../disk-access/index";
import { type Workdir } from "../state/workdir";
import { type DiskInfo } from "../vsphere/replies";
import { type VsphereSession } from "../vsphere/session";
import { type VsphereApi } from "../vsphere/api";
import { acquireCopySlots, type CopyLimits } from "./copy-slots";
import { type Pacer, pacedSource } from "./pacing";
import { hostCopyLimits } from "../config/host-config";
import { type RoundMeter, type RoundPhase } from "./round-meter";

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

export type CopyMode = { zeroUnlisted: boolean; targetIsZero: boolean };

/** The data side of a disk round, apart from the decisions: a round's tests swap it for a recorder. */
export interface DiskDataPath {
  /** A fresh image file (or an RBD image holding no data) reads as zeros; a block device (or a file left by a crash) does not. */
  targetReadsAsZeros(disk: Disk, m: Manifest, capacityBytes: number): Promise<boolean>;
  /**
   * Copy the areas from the snapshot into the disk's target and flush (durable when it resolves). `recorded`
   * is the disk's "copying" record being written: servers may start meanwhile, the first write waits for it.
   */
  copy(
    c: DiskRoundContext,
    disk: Disk,
    snap: DiskInfo,
    areas: [number, number][],
    mode: CopyMode,
    recorded: Promise<void>,
  ): Promise<CopyStats>;
}

export interface DiskRoundContext {
  wd: Workdir;
  api: VsphereApi;
  data: DiskDataPath;
  round: number;
  snapshotMoref: string;
  tuning: CopyTuning;
  signal: AbortSignal;
  step: string;
  meter: RoundMeter;
}

/** The disk's record in the round; the round is syncing from its first disk record on. */
async function setDiskRound(wd: Workdir, round: number, key: number, record: DiskRound, stats?: CopyStats): Promise<void> {
  await wd.update((m) => {
    const r = m.rounds.find((x) => x.n === round);
    if (!r) throw new Error(`round ${round} missing`);
    if (r.status === "snapshot") r.status = "syncing";
    r.disks[String(key)] = { ...record };
    if (!stats) return;
    // the data is durable on the target (copyDisk flushed): now, and only now, advance the changeId
    const d = m.disks.find((x) => x.key === key)!;
    d.syncedChangeId = record.changeIdTo;
    d.syncedRound = round;
    d.needsRebase = null;
    Object.assign(r.disks[String(key)]!, {
      status: "committed",
      copiedBytes: stats.bytesWritten,
      zeroedBytes: stats.bytesZeroed,
      durationMs: Math.round(stats.durationMs),
    });
  });
}

/** What one disk copies in a round: the areas, from which changeId, and why it is a full re-read (rebase). */
export interface DiskRoundPlan {
  /** "*" for a full read of the allocated areas, else the last synced changeId. */
  from: string;
  changeIdTo: string;
  /** Why the disk is copied in full although it was synced before; null for an incremental or first copy. */
  rebase: string | null;
  areas: [number, number][];
  qcdaCalls: number;
}

/**
 * Decide incremental vs rebase for one disk and query its areas: a recorded rebase, a grown disk, a
 * new CBT epoch (CBT was reset) or a changed-area query CBT cannot answer make it a full re-read.
 */
export async function planDiskRound(
  api: VsphereApi,
  m: Manifest,
  snapshotMoref: string,
  diskKey: number,
  snap: DiskInfo,
): Promise<DiskRoundPlan> {
  const disk = m.disks.find((d) => d.key === diskKey)!;
  if (!snap.changeId) {
    throw new V2kError(
      "CBT_NOT_ACTIVE",
      `${disk.label} has no changeId in snapshot ${snapshotMoref}: change tracking is not active`,
      "Run 'ablestack_v2k cbt enable' (it activates tracking), then re-run the sync.",
    );
  }
  const changeIdTo = snap.changeId;
  let rebase: string | null = disk.needsRebase;
  if (snap.capacityBytes < disk.capacityBytes) {
    throw new V2kError(
      "TARGET_IO",
      `${disk.label} shrank from ${disk.capacityBytes} to ${snap.capacityBytes} bytes`,
      "Disks cannot shrink in vSphere; check the VM and start a new migration.",
    );
  }
  if (snap.capacityBytes > disk.capacityBytes) {
    const change = `${disk.capacityBytes} -> ${snap.capacityBytes}`;
    rebase = say(`capacity changed ${change}`, `용량 변경 ${change}`);
  } else if (disk.syncedChangeId && changeIdEpoch(disk.syncedChangeId) !== changeIdEpoch(changeIdTo))
    rebase ??= say("CBT epoch changed (CBT was reset)", "CBT 에포크가 바뀌었습니다(CBT 초기화)");
  let from = disk.syncedChangeId === null || rebase ? "*" : disk.syncedChangeId;
  const query = (changeId: string) => api.changedAreas(m.vm.moref, snapshotMoref, diskKey, changeId, snap.capacityBytes);
  let q;
  try {
    q = await query(from);
  } catch (e) {
    if (from === "*" || !(e instanceof V2kError) || !["CBT_NOT_ACTIVE", "QCDA_INCOMPLETE", "VSPHERE_FAULT"].includes(e.code)) throw e;
    rebase = say(`changed-area query failed (${e.code}: ${e.message})`, `변경 영역 조회 실패(${e.code}: ${e.message})`);
    from = "*";
    q = await query(from);
  }
  return { from, changeIdTo, rebase, areas: q.areas, qcdaCalls: q.calls };
}

export async function syncDiskInRound(c: DiskRoundContext, diskKey: number, snap: DiskInfo): Promise<void> {
  const done = c.wd.manifest.rounds.find((r) => r.n === c.round)?.disks[String(diskKey)];
  if (done?.status === "committed") return;
  const disk = c.wd.manifest.disks.find((d) => d.key === diskKey)!;
  const { record, areas, mode } = await c.meter.time("qcda", () => planAndRecord(c, disk, snap));
  // a disk with nothing to copy is recorded once, committed; the others are recorded "copying" before the
  // copy's first write, the record's fsync overlapping the servers' start-up
  if (nothingToCopy(areas, mode)) return c.meter.time("commit", () => setDiskRound(c.wd, c.round, diskKey, record, noCopy()));
  const recorded = setDiskRound(c.wd, c.round, diskKey, record);
  recorded.catch(() => undefined); // awaited by the copy and below; a failure fails the disk there
  const stats = await c.data.copy(c, disk, snap, areas, mode, recorded);
  await recorded;
  c.meter.bytesRead += stats.bytesRead;
  await c.meter.time("commit", () => setDiskRound(c.wd, c.round, diskKey, record, stats));
}

/**
 * No changed areas and nothing to zero: the target already holds this snapshot's content (the last
 * commit came after a flush), so no server is started and there is nothing to flush.
 */
function nothingToCopy(areas: [number, number][], mode: CopyMode): boolean {
  return areas.length === 0 && !mode.zeroUnlisted && !mode.targetIsZero;
}

function noCopy(): CopyStats {
  const flushedAt = new Date().toISOString();
  return {
    totalBytes: 0,
    bytesRead: 0,
    bytesWritten: 0,
    bytesZeroed: 0,
    bytesSkipped: 0,
    requests: 0,
    workers: 0,
    durationMs: 0,
    mbPerSec: 0,
    flushedAt,
  };
}

/** Query the disk's areas and record a rebase; returns the disk's round record ("copying"), what to copy and how. */
async function planAndRecord(
  c: DiskRoundContext,
  disk: Disk,
  snap: DiskInfo,
): Promise<{ record: DiskRound; areas: [number, number][]; mode: CopyMode }> {
  const { wd, snapshotMoref, step } = c;
  const isBase = disk.syncedChangeId === null && (await c.data.targetReadsAsZeros(disk, wd.manifest, snap.capacityBytes));
  const { from, changeIdTo, rebase, areas, qcdaCalls } = await planDiskRound(c.api, wd.manifest, snapshotMoref, disk.key, snap);
  if (rebase) {
    const reason = rebase;
    await wd.update((m) => {
      const d = m.disks.find((x) => x.key === disk.key)!;
      d.needsRebase = reason;
      if (snap.capacityBytes > d.capacityBytes) d.capacityBytes = snap.capacityBytes;
    });
    const what = say(`full copy of allocated areas (rebase): ${reason}`, `할당된 영역 전체 복사(리베이스): ${reason}`);
    await wd.warn(step, "DISK_REBASE", `${disk.label}: ${what}`, disk.key);
  }
  const changedBytes = areas.reduce((s, a) => s + a[1], 0);
  const record: DiskRound = {
    snapshotMoref,
    changeIdFrom: from,
    changeIdTo,
    rebase: rebase !== null,
    changedBytes,
    copiedBytes: 0,
    zeroedBytes: 0,
    status: "copying",
  };
  wd.emitter.log(
    "info",
    step,
    say(
      `${disk.label}: ${from === "*" ? "allocated" : "changed"} areas ${areas.length} (${changedBytes} bytes, ${qcdaCalls} QCDA call(s))`,
      `${disk.label}: ${from === "*" ? "할당된" : "변경된"} 영역 ${areas.length}개(${changedBytes}바이트, QCDA 호출 ${qcdaCalls}번)`,
    ),
    disk.key,
  );
  const mode: CopyMode = { zeroUnlisted: (rebase !== null || disk.syncedChangeId === null) && !isBase, targetIsZero: isBase };
  return { record, areas, mode };
}

/** The real data path: datastore reads through the session (re-login retry), host-wide copy slots, the engine. */
export function snapshotDataPath(session: VsphereSession): DiskDataPath {
  return {
    targetReadsAsZeros,
    async copy(c, disk, snap, areas, mode, recorded) {
      // host-wide, per-ESXi-host and per-datastore caps: wait for a slot, hold it for the copy only
      const limits = c.tuning.limits ?? { ...hostCopyLimits(), migrationBwlimitMBps: 0 };
      const slot = await acquireCopySlots(c.wd, disk, limits, c.step, c.signal);
      try {
        // a copy after a new login or a reset source must not trust the target to read as zeros any more
        return await withSourceRetry(
          session.bridge,
          (retry) =>
            copyFromSnapshot(c, session, { disk, snap, areas, recorded }, retry ? { ...mode, targetIsZero: false } : mode, slot.pacer),
          {
            signal: c.signal,
            onRelogin: () => c.wd.emitter.log("warn", c.step, reloginLine(disk), disk.key),
            onRetry: (ev) => c.wd.emitter.log("warn", c.step, retryLine(disk, ev), disk.key),
          },
        );
      } finally {
        slot.release();
      }
    },
  };
}

function reloginLine(disk: Disk): string {
  return say(
    `${disk.label}: the vCenter session expired during the copy; logged in again, copying once more`,
    `${disk.label}: 복사 중에 vCenter 세션이 끝나 다시 로그인했습니다. 한 번 더 복사합니다`,
  );
}

function retryLine(disk: Disk, ev: SourceRetryEvent): string {
  const { code, message } = ev.error;
  const secs = (ev.delayMs / 1000).toFixed(0);
  return say(
    `${disk.label}: source connection failed (${code}: ${message}); attempt ${ev.attempt} of ${ev.attempts} in ${secs} s`,
    `${disk.label}: 원본 연결 실패(${code}: ${message}). ${secs}초 뒤 ${ev.attempts}번 중 ${ev.attempt}번째 시도`,
  );
}

/** One disk's copy: its areas from the snapshot, and its "copying" record being written. */
interface DiskCopyJob {
  disk: Disk;
  snap: DiskInfo;
  areas: [number, number][];
  recorded: Promise<void>;
}

async function copyFromSnapshot(
  c: DiskRoundContext,
  session: VsphereSession,
  job: DiskCopyJob,
  mode: CopyMode,
  pacer: Pacer,
): Promise<CopyStats> {
  const { disk, snap, areas } = job;
  const label = `disk ${disk.key}`;
  let mark = performance.now();
  const lap = (phase: RoundPhase) => {
    const now = performance.now();
    c.meter.add(phase, now - mark);
    mark = now;
  };
  const sourceSpec = await sourceSpecOf(c.wd.manifest, session, snap.fileName, c.snapshotMoref);
  const opened = sourceOpenOptions(sourceSpec.kind, label, areas);
  const { source, target } = await openBoth(
    () => openSource(sourceSpec, opened),
    () => openDiskTarget(disk, c.wd.manifest, { size: snap.capacityBytes }),
  );
  try {
    await job.recorded; // nothing is written to the target before the disk's record is durable
    lap("serversUp");
    if (source.size < snap.capacityBytes) {
      throw new V2kError(
        "NBD_SOURCE_FAILED",
        `${label}: source has ${source.size} bytes, the snapshot says ${snap.capacityBytes}`,
        "The datastore file does not match the disk; re-run the sync.",
      );
    }
    return await engineCopy(c, disk, { source: pacedSource(source.source, pacer), target: target.target }, areas, mode);
  } finally {
    lap("copy");
    await closeBoth(target, source).finally(() => lap("serversDown"));
  }
}

/** Both closed side by side; a server that did not close cleanly fails the copy (target first). */
async function closeBoth(a: { close(): Promise<void> }, b: { close(): Promise<void> }): Promise<void> {
  const closed = await Promise.allSettled([a.close(), b.close()]);
  const failed = closed.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** nbdkit and qemu-nbd start side by side; when one fails, the other is closed again and the failure thrown. */
async function openBoth<S extends { close(): Promise<void> }, T extends { close(): Promise<void> }>(
  openS: () => Promise<S>,
  openT: () => Promise<T>,
): Promise<{ source: S; target: T }> {
  const [s, t] = await Promise.allSettled([openS(), openT()]);
  if (s.status === "fulfilled" && t.status === "fulfilled") return { source: s.value, target: t.value };
  await Promise.allSettled([s.status === "fulfilled" ? s.value.close() : null, t.status === "fulfilled" ? t.value.close() : null]);
  throw s.status === "rejected" ? s.reason : (t as PromiseRejectedResult).reason;
}

/**
 * Work per source connection over http: opening one costs a TLS handshake and a request (0.05-0.25 s),
 * about what 64 MiB or 64 requests (one at a time per connection) take.
 */
const HTTP_BYTES_PER_CONNECTION = 64 * 1024 * 1024;
const HTTP_AREAS_PER_CONNECTION = 64;

/**
 * A small round reads through fewer nbdkit-curl connections: they are opened one after another. Other
 * sources use one (VDDK gets slower with several per disk).
 */
function sourceOpenOptions(kind: string, disk: string, areas: [number, number][]): OpenOptions {
  if (kind !== "http") return { disk, connections: 1 };
  const bytes = areas.reduce((s, a) => s + a[1], 0);
  const wanted = Math.max(bytes / HTTP_BYTES_PER_CONNECTION, areas.length / HTTP_AREAS_PER_CONNECTION);
  const connections = Math.min(HTTP_SOURCE_CONNECTIONS, Math.max(1, Math.ceil(wanted)));
  return { disk, connections };
}

interface CopyEnds {
  source: BlockSource;
  target: BlockTarget;
}

function engineCopy(c: DiskRoundContext, disk: Disk, ends: CopyEnds, areas: [number, number][], mode: CopyMode): Promise<CopyStats> {
  return copyDisk({
    ...ends,
    areas: areas.map(([offset, length]) => ({ offset, length })),
    zeroUnlisted: mode.zeroUnlisted,
    targetIsZero: mode.targetIsZero,
    disk: `disk ${disk.key}`,
    signal: c.signal,
    ...copyTuningFor(disk, c.tuning),
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
}
