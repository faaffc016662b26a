// Pure views of a manifest: the phase timeline, the next action, convergence and cutover readiness.
import { type Manifest, type Phase } from "../../shared/manifest";
import { ProgressEvent } from "../../shared/events";
import { type z } from "zod";

export type StepId = "preflight" | "init" | "cbt" | "base" | "incr" | "cutover" | "verify" | "cleanup";
export type StepStatus = "done" | "current" | "pending" | "failed" | "skipped";

export interface TimelineStep {
  id: StepId;
  status: StepStatus;
}

const order: StepId[] = ["preflight", "init", "cbt", "base", "incr", "cutover", "verify", "cleanup"];

/** How far each phase has come: the index of the first step not yet done. */
function firstPendingStep(m: Manifest): number {
  const byPhase: Record<Phase, number> = {
    "initialized": 2,
    "cbt-enabled": 3,
    "base-synced": 4,
    "incr-synced": 5,
    "cutover-running": 5,
    "final-synced": 5,
    "defined": 6,
    "started": 6,
    "rolled-back": 7,
    "cleaned": 8,
  };
  let i = byPhase[m.phase];
  if (m.phase === "started" || (m.phase === "defined" && m.verify.some((v) => v.ok))) i = 7;
  return i;
}

export function timeline(m: Manifest, running: boolean): TimelineStep[] {
  const next = firstPendingStep(m);
  const failed = m.lastError !== null && !running;
  return order.map((id, i) => {
    if (m.phase === "rolled-back" && (id === "cutover" || id === "verify")) return { id, status: "skipped" as const };
    if (i < next) return { id, status: "done" as const };
    if (i === next) return { id, status: failed ? "failed" as const : "current" as const };
    return { id, status: "pending" as const };
  });
}

export type ActionId = "cbt-enable" | "sync-base" | "sync-incr" | "auto-sync" | "cutover" | "verify" | "start" | "cleanup" | "rollback";

/** The primary action for the current phase, and the others that make sense now. */
export function actions(m: Manifest, ready: boolean): { primary: ActionId | null; secondary: ActionId[] } {
  switch (m.phase) {
    case "initialized":
      return { primary: "cbt-enable", secondary: ["auto-sync", "cleanup"] };
    case "cbt-enabled":
      return { primary: "sync-base", secondary: ["auto-sync", "cleanup"] };
    case "base-synced":
    case "incr-synced":
      return ready
        ? { primary: "cutover", secondary: ["sync-incr", "auto-sync", "rollback"] }
        : { primary: "sync-incr", secondary: ["auto-sync", "cutover", "rollback"] };
    case "cutover-running":
    case "final-synced":
      return { primary: "cutover", secondary: ["rollback"] };
    case "defined":
      // Verify compares the disks while nothing runs on them; start once they match.
      return m.verify.some((v) => v.ok) ? { primary: "start", secondary: ["verify", "rollback"] } : { primary: "verify", secondary: ["start", "rollback"] };
    case "started":
      return { primary: "cleanup", secondary: ["rollback"] };
    case "rolled-back":
      return { primary: "cleanup", secondary: [] };
    case "cleaned":
      return { primary: null, secondary: [] };
  }
}

export interface CutoverCriterion {
  maxChangedBytes: number;
  maxSeconds: number;
}

/** The runbook's default, the same as the helper's `run --cutover-when bytes<512M,seconds<300`. */
export const DEFAULT_CRITERION: CutoverCriterion = { maxChangedBytes: 512 * 1024 * 1024, maxSeconds: 300 };

export interface ConvergencePoint {
  round: number;
  kind: "base" | "incr" | "final";
  changedBytes: number;
  durationMs: number;
}

export function convergence(m: Manifest): ConvergencePoint[] {
  return m.rounds
    .filter((r) => r.status === "synced")
    .map((r) => ({ round: r.n, kind: r.kind, changedBytes: r.changedBytes, durationMs: r.durationMs ?? 0 }));
}

export function lastRound(m: Manifest): ConvergencePoint | undefined {
  return convergence(m).at(-1);
}

export function cutoverReady(m: Manifest, c: CutoverCriterion = DEFAULT_CRITERION): boolean {
  if (m.phase !== "base-synced" && m.phase !== "incr-synced") return false;
  const last = convergence(m).filter((p) => p.kind === "incr").at(-1);
  return last !== undefined && last.changedBytes < c.maxChangedBytes && last.durationMs < c.maxSeconds * 1000;
}

export type ProgressByDisk = Record<number, z.infer<typeof ProgressEvent>>;
