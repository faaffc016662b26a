// Pure views of a manifest: the phase timeline, the next action, convergence and cutover readiness.
import { type Manifest } from "../../shared/manifest";
import { ProgressEvent } from "../../shared/events";
import { type z } from "zod";
import { runDecls } from "../../shared/requests/commands";
import { defaultOf } from "../../shared/requests/option";

export { timeline, wasRolledBack, type StepId, type StepStatus, type TimelineStep } from "./timeline";

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
      return m.verify.some((v) => v.ok)
        ? { primary: "start", secondary: ["verify", "rollback"] }
        : { primary: "verify", secondary: ["start", "rollback"] };
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

const helperCriterion = defaultOf<{ maxBytes: number; maxSeconds: number }>(runDecls, "cutover-when");
/** The helper's own `run --cutover-when` default (what "Sync until ready" stops at), read from its declaration. */
export const DEFAULT_CRITERION: CutoverCriterion = { maxChangedBytes: helperCriterion.maxBytes, maxSeconds: helperCriterion.maxSeconds };

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
  const last = convergence(m)
    .filter((p) => p.kind === "incr")
    .at(-1);
  return last !== undefined && last.changedBytes < c.maxChangedBytes && last.durationMs < c.maxSeconds * 1000;
}

export type ProgressByDisk = Record<number, z.infer<typeof ProgressEvent>>;
