// The unattended pipeline: preflight, init, CBT, base copy, incremental rounds until the cutover
// criterion holds (or --max-rounds), then stop "ready for cutover" or cut over. Each stage is the
// same function the single commands use, and each resumes from the manifest: re-running `run` on a
// workdir after a crash or kill -9 continues where the manifest says it stopped.
import { V2kError } from "../../shared/v2k-error";
import { say } from "../../shared/i18n/lang";
import { type Manifest, type Phase } from "../../shared/manifest";
import { type VcenterFlags } from "../config/vcenter-access";
import { initMigration } from "../init/init";
import { runPreflight } from "../preflight/checks";
import { cbtEnable } from "../sync/cbt";
import { runRound, type RoundOptions } from "../sync/round";
import { hasManifest, requireWorkdirPath, withWorkdir, type StepContext, type Workdir } from "../state/index";
import { withVsphere, type VsphereSession } from "../vsphere/session";
import { Virsh, libvirtUri, resolveDomainType } from "../libvirt/virsh";
import { rehearseConversion } from "../convert/rehearsal";
import { syncUntilWindow } from "./window";
import { runCutover, type CutoverOptions, type CutoverResult } from "../cutover/cutover";
import { type CutoverCriterion, criterionHolds } from "./criterion";
import { type VerifyResult } from "../verify/verify";
import { checkBeforeStart, type CheckBeforeStartOptions } from "./check-before-start";

export interface RunPipelineOptions {
  /** Fresh start only (a workdir with a manifest is resumed). */
  vm?: string | undefined;
  dst?: string | undefined;
  /** --split phase2: only continue an existing run. */
  resumeOnly?: boolean;
  targetFormat: "qcow2" | "raw";
  transport: "http" | "vddk";
  until: "synced" | "cutover";
  intervalSec: number;
  maxRounds: number;
  criterion: CutoverCriterion;
  /** --cutover-at: incremental rounds until this moment, then the cutover (criterion and max rounds aside). */
  cutoverAt?: Date;
  tuning: Omit<RoundOptions, "kind" | "signal">;
  cutover: CutoverOptions;
  /** Check between define and start (never on a started domain): data, or an isolated boot. */
  verify: Omit<CheckBeforeStartOptions, "signal">;
  flags: VcenterFlags;
}

export interface RunPipelineResult {
  workdir: string;
  runId: string;
  phase: Phase;
  readyForCutover: boolean;
  incrRounds: number;
  lastRound: { n: number; changedBytes: number; durationMs: number } | null;
  criterionMet: boolean;
  cutover?: CutoverResult;
  verify?: VerifyResult;
}

const STEP = "run";
const afterSync: Phase[] = ["cutover-running", "final-synced", "defined", "started"];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Preflight + init for a fresh run; returns the workdir (existing manifests are resumed as they are). */
export async function ensureInitialized(o: RunPipelineOptions, ctx: StepContext): Promise<string> {
  if (ctx.workdir && hasManifest(requireWorkdirPath(ctx.workdir))) return requireWorkdirPath(ctx.workdir);
  if (o.resumeOnly) {
    throw new V2kError(
      "USAGE",
      "--split phase2 continues an existing run",
      "Pass --workdir of the phase1 run (ablestack_v2k --workdir W run --split phase2 ...).",
    );
  }
  if (!o.vm || !o.dst) {
    throw new V2kError(
      "USAGE",
      "a new run needs --vm and --dst",
      "Pass --vm NAME --dst DIR (and --vcenter), or --workdir of an existing run to resume it.",
    );
  }
  const pre = await runPreflight(
    {
      vm: o.vm,
      dst: o.dst,
      transport: o.transport,
      flags: o.flags,
      // the networks the cutover will use, checked before anything starts
      networkMap: o.cutover.domain["network-map"],
      networkMapDefault: o.cutover.domain["network-map-default"],
      firmware: o.cutover.domain.firmware,
    },
    { readStdin: ctx.readStdin, signal: ctx.signal },
  );
  const failed = pre.checks.filter((c) => c.status === "fail");
  for (const c of pre.checks)
    if (c.status !== "pass") ctx.emitter.log(c.status === "fail" ? "error" : "warn", "preflight", `${c.title}: ${c.reason}`);
  if (!pre.go) {
    throw new V2kError(
      "PREFLIGHT_NO_GO",
      `preflight says NO-GO for ${o.vm}: ${failed.map((c) => c.title).join("; ")}`,
      "Fix the failed checks ('ablestack_v2k preflight' lists them with reasons) and run again; nothing was changed.",
    );
  }
  const init = await initMigration(
    {
      vm: o.vm,
      dst: o.dst,
      targetFormat: o.targetFormat,
      targetStorage: "file",
      targetDevices: [],
      force: false,
      transport: o.transport,
      vcenter: o.flags,
    },
    ctx,
  );
  return init.workdir;
}

function lastIncr(m: Manifest) {
  const r = m.rounds.filter((x) => x.kind === "incr" && x.status === "synced").at(-1);
  return r ? { n: r.n, changedBytes: r.changedBytes, durationMs: r.durationMs ?? 0 } : null;
}

async function syncUntilReady(
  wd: Workdir,
  s: VsphereSession,
  o: RunPipelineOptions,
  virsh: Virsh,
  signal: AbortSignal,
): Promise<{ rounds: number; met: boolean }> {
  const tuning = { ...o.tuning, signal };
  if (wd.manifest.phase === "initialized") {
    wd.emitter.emit({
      type: "phase",
      step: STEP,
      phase: "initialized",
      message: say("enabling changed block tracking", "변경 블록 추적(CBT)을 켭니다"),
    });
    await cbtEnable(wd, s.bridge);
  }
  await runRound(wd, s, { kind: "base", ...tuning });
  if (o.cutoverAt) {
    const accel = await resolveDomainType(o.cutover.domain["domain-type"], virsh);
    const rounds = await syncUntilWindow(o.cutoverAt.getTime(), o.intervalSec * 1000, {
      round: () => runRound(wd, s, { kind: "incr", ...tuning }),
      rehearse: () => rehearseConversion(wd, { policy: o.cutover.convert, accel, signal }),
      log: (message, schedule) => wd.emitter.emit({ type: "log", level: "info", step: STEP, message, ...schedule }),
      now: () => Date.now(),
      sleep: (ms) => sleep(ms, signal),
    });
    return { rounds, met: false };
  }
  let rounds = 0;
  for (;;) {
    if (rounds > 0 && o.intervalSec > 0) await sleep(o.intervalSec * 1000, signal);
    const r = await runRound(wd, s, { kind: "incr", ...tuning });
    rounds++;
    const met = criterionHolds(o.criterion, r);
    const secs = (r.durationMs / 1000).toFixed(1);
    wd.emitter.log(
      "info",
      STEP,
      say(
        `incremental round ${r.round}: ${r.changedBytes} changed bytes in ${secs} s${met ? " - cutover criterion met" : ""}`,
        `증분 라운드 ${r.round}: ${secs}초 동안 ${r.changedBytes}바이트 변경${met ? " - 컷오버 기준 충족" : ""}`,
      ),
    );
    if (met) return { rounds, met: true };
    if (rounds >= o.maxRounds) {
      const why = say(
        `the cutover criterion was not met after ${rounds} incremental round(s) (--max-rounds)`,
        `증분 라운드 ${rounds}번 뒤에도 컷오버 기준을 충족하지 못했습니다(--max-rounds)`,
      );
      wd.emitter.log("warn", STEP, why);
      return { rounds, met: false };
    }
  }
}

/** `onLocked` runs once the workdir is locked (a detached run records operation.json there). */
export async function runPipeline(o: RunPipelineOptions, ctx: StepContext, onLocked?: (wd: Workdir) => void): Promise<RunPipelineResult> {
  const workdir = await ensureInitialized(o, ctx);
  return withWorkdir(workdir, ctx.emitter, STEP, (wd) => {
    onLocked?.(wd);
    return withVsphere(o.flags, { readStdin: ctx.readStdin, signal: ctx.signal }, wd.manifest.vcenter, async (session) => {
      const m0 = wd.manifest;
      if (m0.phase === "rolled-back" || m0.phase === "cleaned") {
        throw new V2kError("PHASE_ORDER", `this migration is ${m0.phase}`, "Start a new run without --workdir (or with a new one).");
      }
      const virsh = new Virsh({ uri: libvirtUri(o.cutover.domain.connect), signal: ctx.signal });
      let rounds = 0;
      let met = false;
      if (!afterSync.includes(m0.phase)) {
        ({ rounds, met } = await syncUntilReady(wd, session, o, virsh, ctx.signal));
      }
      const base: RunPipelineResult = {
        workdir: wd.path,
        runId: wd.manifest.runId,
        phase: wd.manifest.phase,
        readyForCutover: true,
        incrRounds: rounds,
        lastRound: lastIncr(wd.manifest),
        criterionMet: met,
      };
      if (o.until === "synced") {
        if (!afterSync.includes(m0.phase))
          wd.emitter.emit({ type: "phase", step: STEP, phase: wd.manifest.phase, message: say("ready for cutover", "컷오버 준비 완료") });
        return { ...base, readyForCutover: !afterSync.includes(m0.phase) };
      }
      const deps = {
        bridge: session.bridge,
        virsh,
        finalRound: (w: Workdir) => runRound(w, session, { kind: "final", ...o.tuning, signal: ctx.signal }),
        signal: ctx.signal,
      };
      // define first, check (data or an isolated boot) while nothing runs on the targets, then start
      let cut = await runCutover(wd, { ...o.cutover, start: false }, deps);
      let verify: VerifyResult | undefined;
      if (!cut.started) verify = await checkBeforeStart(wd, { ...o.verify, signal: ctx.signal }, session, virsh);
      if (o.cutover.start) cut = await runCutover(wd, o.cutover, deps);
      return { ...base, phase: wd.manifest.phase, cutover: cut, ...(verify ? { verify } : {}) };
    });
  });
}
