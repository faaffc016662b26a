// verify: quick (seeded random blocks), full (every allocated block) or boot (isolated start).
// Data modes compare the powered-off source (its base disk is then frozen and equals the final
// snapshot) with the target through the same NBD client, and record the outcome in the manifest.
import { type Disk, type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type Workdir } from "../state/index";
import { openSource, type Area, type BlockSource, type SourceSpec } from "../endpoints/index";
import { type Virsh } from "../libvirt/virsh";
import { type DomainPolicy } from "../libvirt/domain-policy";
import { compareAreas, fullAreas, subtractAreas, unionAreas, type Mismatch } from "./compare";
import { newSeed, sampleBlocks } from "./sampling";
import { openDiskTarget } from "../disk-access/index";
import { bootCheck, type BootCheckOptions, type BootCheckResult } from "./boot-check";
import { say } from "../../shared/i18n/lang";

export type VerifyMode = "quick" | "full" | "boot";

export interface DataVerifyOptions {
  mode: "quick" | "full";
  samples: number;
  blockSize: number;
  seed?: string;
  signal?: AbortSignal;
  /** What is compared, for the record (default: the frozen source against the target as it is now). */
  compared?: string;
}

export interface DiskVerify {
  disk: number;
  label: string;
  comparedBytes: number;
  blocks: number;
  mismatches: Mismatch[];
  /** Bytes left out because guest conversion rewrote them on purpose (initramfs, drivers, tools). */
  excludedBytes?: number;
}

export interface VerifyResult {
  ok: boolean;
  mode: VerifyMode;
  samples?: number;
  seed?: string;
  blockSize?: number;
  disks?: DiskVerify[];
  mismatches: Mismatch[];
  boot?: BootCheckResult;
  durationMs: number;
  /** What was compared (source state, target state, when). */
  compared?: string;
  /** "fresh": compared now; "recorded": the result the cutover recorded before the domain started. */
  origin?: "fresh" | "recorded";
  at?: string;
  /** Why no fresh comparison ran (with origin "recorded"). */
  notRerun?: string;
}

/** Where the source of a disk is read: built by the caller (it owns the vSphere session). */
export type SourceSpecFn = (disk: Disk) => Promise<SourceSpec>;

const STEP = "verify";

async function allocated(src: BlockSource, size: number): Promise<Area[] | null> {
  if (!src.extents) return null;
  const out: Area[] = [];
  const step = 1 << 30; // ask in 1 GiB windows: servers may answer a window at a time
  for (let off = 0; off < size; off += step) {
    for (const e of await src.extents(off, Math.min(step, size - off))) if (!e.zero) out.push({ offset: e.offset, length: e.length });
  }
  return out;
}

/** What guest conversion wrote to a disk (committed only: a failed conversion changed nothing). */
function convertedAreas(m: Manifest, key: number): Area[] {
  const c = m.cutover?.conversion;
  if (!c || c.state !== "committed") return [];
  return (c.changedRanges?.[String(key)] ?? []).map(([offset, length]) => ({ offset, length }));
}

export async function verifyData(wd: Workdir, o: DataVerifyOptions, sourceSpec: SourceSpecFn): Promise<VerifyResult> {
  const t0 = Date.now();
  const m = wd.manifest;
  const seed = o.seed ?? newSeed();
  wd.emitter.emit({
    type: "phase",
    step: STEP,
    phase: m.phase,
    message:
      o.mode === "quick"
        ? say(`quick verify: ${o.samples} blocks per disk, seed ${seed}`, `빠른 검증: 디스크마다 블록 ${o.samples}개, 시드 ${seed}`)
        : say("full verify of every allocated block", "할당된 모든 블록의 전체 검증"),
  });
  const disks: DiskVerify[] = [];
  for (const d of [...m.disks].sort((a, b) => a.index - b.index)) disks.push(await verifyDisk(wd, d, o, seed, sourceSpec));
  const mismatches = disks.flatMap((x) => x.mismatches);
  const result: VerifyResult = {
    ok: mismatches.length === 0,
    mode: o.mode,
    seed,
    blockSize: o.blockSize,
    disks,
    mismatches,
    durationMs: Date.now() - t0,
    ...(o.mode === "quick" ? { samples: o.samples } : {}),
    compared: o.compared ?? "the frozen VMware source against the target disks as they are now",
    origin: "fresh",
    at: new Date().toISOString(),
  };
  await record(wd, result);
  if (!result.ok) throw mismatchError(mismatches);
  return result;
}

/** Compare one disk's source and target (read-only) and log the outcome. */
async function verifyDisk(wd: Workdir, d: Disk, o: DataVerifyOptions, seed: string, sourceSpec: SourceSpecFn): Promise<DiskVerify> {
  const m = wd.manifest;
  const src = await openSource(await sourceSpec(d), { disk: `disk ${d.key}` });
  try {
    const tgt = await openDiskTarget(d, m, { readOnly: true });
    try {
      if (tgt.source.size < d.capacityBytes) {
        throw new V2kError(
          "VERIFY_MISMATCH",
          `disk ${d.key}: the target has ${tgt.source.size} bytes, the source ${d.capacityBytes}`,
          "Re-run the sync; the target is too small.",
        );
      }
      const size = Math.min(src.size, d.capacityBytes);
      const converted = convertedAreas(m, d.key);
      const areas = subtractAreas(await areasToCompare(src.source, tgt.source, size, o, seed, d.key), converted);
      const excludedBytes = converted.reduce((n, a) => n + a.length, 0);
      if (excludedBytes > 0) {
        const why = say(
          `${excludedBytes} bytes left out: guest conversion rewrote them (manifest cutover.conversion.changedRanges)`,
          `${excludedBytes}바이트 제외: 게스트 변환이 다시 썼습니다(매니페스트 cutover.conversion.changedRanges)`,
        );
        wd.emitter.log("info", STEP, `${d.label}: ${why}`, d.key);
      }
      const r = await compareAreas(src.source, tgt.source, areas, {
        disk: d.key,
        onProgress: (p) => wd.emitter.emit({ type: "progress", step: STEP, disk: d.key, ...p }),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const counts = say(
        `${r.blocks} blocks (${r.comparedBytes} bytes) compared, ${r.mismatches.length} mismatch(es)`,
        `블록 ${r.blocks}개(${r.comparedBytes}바이트) 비교, 불일치 ${r.mismatches.length}개`,
      );
      wd.emitter.log(r.mismatches.length ? "error" : "info", STEP, `${d.label}: ${counts}`, d.key);
      return {
        disk: d.key,
        label: d.label,
        comparedBytes: r.comparedBytes,
        blocks: r.blocks,
        mismatches: r.mismatches,
        ...(excludedBytes > 0 ? { excludedBytes } : {}),
      };
    } finally {
      await tgt.close();
    }
  } finally {
    await src.close();
  }
}

/** Quick: seeded sample blocks; full: every block allocated on either side (all of a source that cannot tell). */
async function areasToCompare(
  src: BlockSource,
  tgt: BlockSource,
  size: number,
  o: DataVerifyOptions,
  seed: string,
  key: number,
): Promise<Area[]> {
  if (o.mode === "quick") return sampleBlocks(size, o.blockSize, o.samples, seed, `disk-${key}`);
  const [sa, ta] = [await allocated(src, size), await allocated(tgt, size)];
  return fullAreas(size, o.blockSize, sa === null ? null : unionAreas(sa, ta ?? []));
}

function mismatchError(mismatches: Mismatch[]): V2kError {
  const first = mismatches[0]!;
  return new V2kError(
    "VERIFY_MISMATCH",
    `disk ${first.disk} differs at offset ${first.offset} (${first.length} bytes)` +
      (mismatches.length > 1 ? ` and ${mismatches.length - 1} more place(s)` : ""),
    "The target does not match the source: re-run the final sync (or roll back); the workdir's manifest lists every mismatch.",
    { detail: mismatches.map((x) => `disk ${x.disk} offset ${x.offset} length ${x.length}`).join("\n") },
  );
}

export async function verifyBoot(wd: Workdir, policy: DomainPolicy, virsh: Virsh, o: BootCheckOptions): Promise<VerifyResult> {
  const t0 = Date.now();
  wd.emitter.emit({
    type: "phase",
    step: STEP,
    phase: wd.manifest.phase,
    message: say(
      `boot check: isolated start, waiting up to ${o.timeoutSec} s for '${o.marker}'`,
      `부팅 점검: 격리된 시작, '${o.marker}'을(를) 최대 ${o.timeoutSec}초 기다립니다`,
    ),
  });
  const boot = await bootCheck(wd.manifest, wd.path, policy, virsh, o);
  const result: VerifyResult = { ok: boot.ok, mode: "boot", mismatches: [], boot, durationMs: Date.now() - t0 };
  await record(wd, result);
  if (!boot.ok) {
    throw new V2kError(
      "VERIFY_MISMATCH",
      `the migrated guest did not show '${o.marker}' within ${o.timeoutSec} s`,
      "Check the console output in the detail, the disk bus (--disk-bus) and firmware; conversion may be needed.",
      { detail: boot.consoleTail },
    );
  }
  wd.emitter.log(
    "info",
    STEP,
    say(`boot check passed after ${boot.seconds.toFixed(1)} s (${boot.via})`, `부팅 점검 통과: ${boot.seconds.toFixed(1)}초(${boot.via})`),
  );
  return result;
}

function excluded(r: VerifyResult): number {
  return (r.disks ?? []).reduce((n, d) => n + (d.excludedBytes ?? 0), 0);
}

async function record(wd: Workdir, r: VerifyResult): Promise<void> {
  await wd.update((m: Manifest) => {
    m.verify.push({
      mode: r.mode,
      at: new Date().toISOString(),
      ok: r.ok,
      ...(r.samples !== undefined ? { samples: r.samples } : {}),
      ...(r.seed !== undefined ? { seed: r.seed } : {}),
      mismatches: r.mismatches.slice(0, 100),
      ...(r.boot ? { detail: `${r.boot.via ?? "no marker"} after ${r.boot.seconds.toFixed(1)} s` } : {}),
      ...(r.blockSize !== undefined ? { blockSize: r.blockSize } : {}),
      ...(r.compared ? { compared: r.compared } : {}),
      ...(r.disks
        ? { disks: r.disks.map((x) => ({ disk: x.disk, label: x.label, blocks: x.blocks, comparedBytes: x.comparedBytes })) }
        : {}),
      ...(excluded(r) > 0 ? { detail: `${excluded(r)} bytes rewritten by guest conversion were not compared` } : {}),
    });
  });
}

/** The compared text of the quick verify cutover runs between define and start. */
export const CUTOVER_VERIFY_COMPARED =
  "the powered-off VMware source against the target disks after the final sync, before the KVM domain first started (cutover)";

/** The data verify the cutover recorded before the domain started, as a result; null when there is none. */
export function recordedCutoverVerify(m: Manifest, notRerun: string): VerifyResult | null {
  const v = [...m.verify].reverse().find((x) => x.compared === CUTOVER_VERIFY_COMPARED && x.mode !== "boot");
  if (!v || v.mode === "boot") return null;
  return {
    ok: v.ok,
    mode: v.mode,
    mismatches: v.mismatches,
    durationMs: 0,
    origin: "recorded",
    at: v.at,
    compared: v.compared!,
    notRerun,
    ...(v.samples !== undefined ? { samples: v.samples } : {}),
    ...(v.seed !== undefined ? { seed: v.seed } : {}),
    ...(v.blockSize !== undefined ? { blockSize: v.blockSize } : {}),
    disks: (v.disks ?? []).map((x) => ({ ...x, mismatches: v.mismatches.filter((mm) => mm.disk === x.disk) })),
  };
}
