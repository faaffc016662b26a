// A sync round: snapshot S(n) (intent recorded first), changeIds read from S(n)'s config, per disk
// QCDA against the last synced changeId, copy, flush, commit, then S(n) removed. Re-running after a
// crash continues the open round with its snapshot; after an error the snapshot is removed and the
// next run starts a fresh round (committed disks keep their progress).
import { type Manifest, type Phase, type Round } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";
import { type Workdir } from "../state/workdir";
import { type VsphereSession } from "../vsphere/session";
import { type VsphereApi } from "../vsphere/api";
import { type DiskInfo } from "../vsphere/replies";
import { ensureOwnSnapshot, removeOwnSnapshot, roundSnapshotName, settleOwnSnapshots, type RoundKind } from "./own-snapshots";
import { snapshotDataPath, syncDiskInRound, type CopyTuning, type DiskDataPath } from "./disk-round";
import { cbtStatus } from "./cbt";
import { reopenAfterRollback } from "./retry";
import { RoundMeter } from "./round-meter";

export interface RoundOptions extends CopyTuning {
  kind: RoundKind;
  signal?: AbortSignal | undefined;
}

export interface RoundSummary {
  round: number;
  kind: RoundKind;
  snapshot: string | null;
  alreadySynced: boolean;
  durationMs: number;
  changedBytes: number;
  copiedBytes: number;
  rebased: number[];
  phase: Phase;
}

const KEEPALIVE_MS = 5 * 60_000;
const kindKo: Record<RoundKind, string> = { base: "기본", incr: "증분", final: "최종" };
const phaseAfter: Record<RoundKind, Phase> = { base: "base-synced", incr: "incr-synced", final: "final-synced" };
const phaseOrder: Phase[] = ["initialized", "cbt-enabled", "base-synced", "incr-synced", "cutover-running", "final-synced"];

function baseDone(m: Manifest): boolean {
  return m.rounds.some((r) => r.kind === "base" && r.status === "synced");
}

function openRound(m: Manifest): Round | undefined {
  const last = m.rounds.at(-1);
  return last && (last.status === "snapshot" || last.status === "syncing") ? last : undefined;
}

function summary(r: Round, m: Manifest, alreadySynced: boolean, snapshot: string | null): RoundSummary {
  return {
    round: r.n,
    kind: r.kind,
    snapshot,
    alreadySynced,
    durationMs: r.durationMs ?? 0,
    changedBytes: r.changedBytes,
    copiedBytes: r.copiedBytes,
    rebased: Object.entries(r.disks)
      .filter(([, d]) => d.rebase)
      .map(([k]) => Number(k)),
    phase: m.phase,
  };
}

/**
 * The round of this kind to work on: the open one (resume), or a new one. An open round of
 * another kind is superseded (marked failed, its snapshot removed): per-disk commits make that safe.
 */
export async function prepareRound(
  wd: Workdir,
  bridge: VsphereApi,
  kind: RoundKind,
  step: string,
): Promise<{ round: Round; snapshot: string } | { done: Round }> {
  await reopenAfterRollback(wd, step);
  const m = wd.manifest;
  if (kind === "base" && baseDone(m)) return { done: m.rounds.filter((r) => r.kind === "base" && r.status === "synced").at(-1)! };
  if (kind !== "base" && !baseDone(m)) {
    throw new V2kError("PHASE_ORDER", `no base copy yet: '${kind}' needs a synced base`, "Run 'ablestack_v2k sync base' first.");
  }
  if (m.phase === "defined" || m.phase === "started" || m.phase === "cleaned") {
    // the KVM side owns the target disks now: writing into them under a defined/running domain is never right
    throw new V2kError(
      "PHASE_ORDER",
      `the run is in phase '${m.phase}': its targets belong to the KVM domain now`,
      m.phase === "cleaned"
        ? "Start a new migration with 'ablestack_v2k init'."
        : "Run 'ablestack_v2k rollback' first if the migration must continue syncing.",
    );
  }
  if (m.phase === "initialized") await adoptActiveCbt(wd, bridge, step);
  if (kind === "final") await requireFinalSourceOff(bridge, m);
  let round = openRound(m);
  const staleFinal = round?.kind === "final" && m.cutover?.sourceOffAt !== undefined && round.startedAt < m.cutover.sourceOffAt;
  if (round && (round.kind !== kind || staleFinal)) {
    const stale = round;
    wd.emitter.log(
      "warn",
      step,
      staleFinal
        ? say(
            `round ${stale.n} (final) was snapshotted before the source went off at ${m.cutover!.sourceOffAt}; ` +
              "a new final round replaces it",
            `라운드 ${stale.n}(최종)의 스냅샷은 원본이 꺼진 ${m.cutover!.sourceOffAt} 전에 찍혔습니다. 새 최종 라운드로 바꿉니다`,
          )
        : say(
            `round ${stale.n} (${stale.kind}) was unfinished; superseded by a ${kind} round`,
            `라운드 ${stale.n}(${kindKo[stale.kind]})이 끝나지 않았습니다. ${kindKo[kind]} 라운드로 대신합니다`,
          ),
    );
    await wd.update((mm) => {
      mm.rounds.find((r) => r.n === stale.n)!.status = "failed";
    });
    round = undefined;
  }
  // a new round is recorded in the same manifest write as its snapshot's intent
  const fresh: Round | undefined = round ? undefined : newRound(m, kind);
  const n = (round ?? fresh!).n;
  const spec = { name: (round ?? fresh!).snapshotName, round: n, kind, purpose: "round" as const };
  try {
    const record = fresh ? { withIntent: (mm: Manifest) => void mm.rounds.push(structuredClone(fresh)) } : {};
    const snapshot = await ensureOwnSnapshot(wd, bridge, { ...spec, ...record }, step);
    if (!wd.manifest.rounds.some((r) => r.n === n)) await wd.update((mm) => void mm.rounds.push(structuredClone(fresh!)));
    return { round: wd.manifest.rounds.find((r) => r.n === n)!, snapshot };
  } catch (e) {
    // no snapshot, no round: the next run starts a fresh one (ensureOwnSnapshot left VMware clean)
    await wd
      .update((mm) => {
        const r = mm.rounds.find((x) => x.n === n);
        if (r) r.status = "failed";
      })
      .catch(() => undefined);
    throw e;
  }
}

function newRound(m: Manifest, kind: RoundKind): Round {
  const n = (m.rounds.at(-1)?.n ?? -1) + 1;
  const snapshotName = roundSnapshotName(m, n, kind);
  return { n, kind, snapshotName, startedAt: new Date().toISOString(), changedBytes: 0, copiedBytes: 0, status: "snapshot", disks: {} };
}

/**
 * A run still in phase 'initialized' whose VM already tracks changes (enabled with govc or the vSphere
 * client): adopt it when tracking is active on every disk, else say exactly what is missing.
 */
async function adoptActiveCbt(wd: Workdir, bridge: VsphereApi, step: string): Promise<void> {
  const s = await cbtStatus(wd, bridge);
  if (!s.enabled) {
    throw new V2kError("CBT_NOT_ACTIVE", "changed block tracking is not enabled on the VM", "Run 'ablestack_v2k cbt enable' first.");
  }
  if (!s.active) {
    throw new V2kError(
      "CBT_NOT_ACTIVE",
      "changed block tracking is enabled on the VM but not yet active on every disk",
      "Run 'ablestack_v2k cbt enable': it activates tracking with a short snapshot stun.",
    );
  }
  await wd.update((m) => {
    m.phase = "cbt-enabled";
  });
  wd.emitter.log(
    "info",
    step,
    say(
      "changed block tracking was already enabled and active on the VM; adopted for this run",
      "VM의 변경 블록 추적(CBT)이 이미 켜져 있고 활성 상태이므로 이 실행에 그대로 씁니다",
    ),
  );
}

/** The final round copies the last writes only when the guest can no longer write: the source must be off. */
async function requireFinalSourceOff(bridge: VsphereApi, m: Manifest): Promise<void> {
  const s = (await bridge.vmState(m.vm.moref)).powerState;
  if (s !== "poweredOff") {
    throw new V2kError(
      "SOURCE_RUNNING",
      `the VMware VM is ${s}: a final snapshot would miss every write made after it`,
      "Shut the guest down first (or let 'cutover' do it); 'snapshot final' and 'sync final' need a powered-off source.",
    );
  }
}

/** Only our snapshot may exist: then the base -flat.vmdk is frozen and equals the snapshot. */
async function requireSoleSnapshot(wd: Workdir, bridge: VsphereApi, snapshot: string): Promise<void> {
  const others = (await bridge.vmState(wd.manifest.vm.moref)).snapshots.filter((s) => s.moref !== snapshot);
  if (others.length > 0) {
    throw new V2kError(
      "SNAPSHOT_FAILED",
      `the VM has other snapshots (${others.map((s) => `'${s.name}' ${s.moref}`).join(", ")}); the http transport needs ours to be the only one`,
      "Delete the other snapshots in vSphere (they are not ours) or use the vddk transport, then re-run.",
    );
  }
}

/** What a round needs from outside: vSphere, and the data side of each disk's copy. */
export interface RoundDeps {
  api: VsphereApi;
  data: DiskDataPath;
}

/** A round against the session's vCenter, copying through the real data path. */
export function runRound(wd: Workdir, session: VsphereSession, options: RoundOptions): Promise<RoundSummary> {
  return runRoundWith(wd, { api: session.bridge, data: snapshotDataPath(session) }, options);
}

export async function runRoundWith(wd: Workdir, deps: RoundDeps, options: RoundOptions): Promise<RoundSummary> {
  const step = `sync ${options.kind}`;
  const started = Date.now();
  const meter = new RoundMeter();
  const prepared = await meter.time("snapshot", () => prepareRound(wd, deps.api, options.kind, step));
  if ("done" in prepared) {
    wd.emitter.log(
      "info",
      step,
      say(`base copy already synced in round ${prepared.done.n}`, `기본 복사는 라운드 ${prepared.done.n}에서 이미 끝났습니다`),
    );
    return summary(prepared.done, wd.manifest, true, null);
  }
  const { round, snapshot } = prepared;
  const n = round.n;
  try {
    // the round becomes "syncing" with its first disk record (one manifest write less); the snapshot's disks
    // are asked for while the http transport's sole-snapshot check runs
    const snapDisks = deps.api.snapshotDisks(snapshot);
    snapDisks.catch(() => undefined); // awaited in syncDisks, after the check
    if (wd.manifest.target.transport === "http") await meter.time("prepare", () => requireSoleSnapshot(wd, deps.api, snapshot));
    wd.emitter.emit({
      type: "phase",
      step,
      phase: wd.manifest.phase,
      message: say(
        `round ${n} (${options.kind}) syncing from snapshot ${snapshot}`,
        `라운드 ${n}(${kindKo[options.kind]}): 스냅샷 ${snapshot}에서 동기화`,
      ),
    });
    await syncDisks(wd, deps, { round: n, snapshot, snapDisks, step, options, meter });
    const durationMs = Date.now() - started;
    await meter.time("commit", () =>
      wd.update((m) => {
        const r = m.rounds.find((x) => x.n === n)!;
        r.status = "synced";
        r.finishedAt = new Date().toISOString();
        r.durationMs = durationMs;
        r.changedBytes = Object.values(r.disks).reduce((s, d) => s + d.changedBytes, 0);
        r.copiedBytes = Object.values(r.disks).reduce((s, d) => s + d.copiedBytes, 0);
        const target = phaseAfter[options.kind];
        if (phaseOrder.indexOf(m.phase) < phaseOrder.indexOf(target) || (options.kind === "incr" && m.phase === "base-synced"))
          m.phase = target;
        // the snapshot's removal intent goes with the round's end (one manifest write less)
        const own = m.snapshots.find((s) => s.name === round.snapshotName && s.state === "present" && s.moref !== null);
        if (own) own.state = "removing";
      }),
    );
    await meter.time("snapshotRemove", () => removeOwnSnapshot(wd, deps.api, round.snapshotName, step));
    const done = wd.manifest.rounds.find((r) => r.n === n)!;
    const { changedBytes, copiedBytes } = done;
    const timing = { totalMs: Date.now() - started, phasesMs: meter.phasesMs(), bytesRead: meter.bytesRead };
    wd.emitter.emit({ type: "round", step, round: n, kind: options.kind, changedBytes, copiedBytes, durationMs, ...timing });
    return summary(done, wd.manifest, false, snapshot);
  } catch (err) {
    // leave VMware clean: mark the round failed and remove its snapshot; the next run starts over
    try {
      await wd.update((m) => {
        const r = m.rounds.find((x) => x.n === n)!;
        if (r.status !== "synced") r.status = "failed";
        for (const d of Object.values(r.disks)) if (d.status !== "committed") d.status = "failed";
      });
    } catch {
      /* e.g. disk full: the manifest stays at its last consistent state */
    }
    await settleOwnSnapshots(wd, deps.api, step).catch((e: unknown) => {
      const why = (e as Error).message;
      wd.emitter.log(
        "error",
        step,
        say(
          `could not remove snapshot ${snapshot}: ${why}; 'cleanup' or the next run removes it`,
          `스냅샷 ${snapshot}을(를) 지우지 못했습니다: ${why}. 'cleanup'이나 다음 실행이 지웁니다`,
        ),
      );
    });
    throw err;
  }
}

/** Every disk of the round at once; the first failure stops the others (and is the one reported). */
async function syncDisks(
  wd: Workdir,
  deps: RoundDeps,
  r: { round: number; snapshot: string; snapDisks: Promise<DiskInfo[]>; step: string; options: RoundOptions; meter: RoundMeter },
): Promise<void> {
  const signal = r.options.signal ?? new AbortController().signal;
  const snapDisks = await r.meter.time("prepare", () => r.snapDisks);
  // vCenter drops idle sessions (30 min by default) and the copy makes no SOAP calls: keep it alive
  const keepAlive = setInterval(() => void deps.api.ping().catch(() => undefined), KEEPALIVE_MS);
  const abort = new AbortController();
  const onAbort = () => abort.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  if (signal.aborted) onAbort(); // a cancel that came while connecting or preparing (no event fires again)
  const context = { wd, api: deps.api, data: deps.data, round: r.round, snapshotMoref: r.snapshot, tuning: r.options, meter: r.meter };
  try {
    const results = await Promise.allSettled(
      wd.manifest.disks.map(async (disk) => {
        const snap = snapDisks.find((d) => d.key === disk.key);
        if (!snap)
          throw new V2kError(
            "VSPHERE_FAULT",
            `${disk.label} (key ${disk.key}) is missing from snapshot ${r.snapshot}`,
            "The VM's disks changed since init; start a new migration.",
          );
        try {
          await syncDiskInRound({ ...context, signal: abort.signal, step: r.step }, disk.key, snap);
        } catch (e) {
          abort.abort(e); // first failure stops the other disks
          throw e;
        }
      }),
    );
    const failed = results.find((x): x is PromiseRejectedResult => x.status === "rejected");
    if (failed) throw firstCause(results, failed.reason);
  } finally {
    clearInterval(keepAlive);
    signal.removeEventListener("abort", onAbort);
  }
}

/** Prefer the disk's own error over the cancellation it caused in the other disks. */
function firstCause(results: PromiseSettledResult<void>[], fallback: unknown): unknown {
  for (const r of results) if (r.status === "rejected" && !(r.reason instanceof V2kError && r.reason.code === "CANCELLED")) return r.reason;
  return fallback;
}
