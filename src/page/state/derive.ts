// Pure views of a manifest: the phase timeline, the next action, convergence and cutover readiness.
import { type Manifest } from "../../shared/manifest";
import { ProgressEvent } from "../../shared/events";
import { type z } from "zod";
import { runDecls } from "../../shared/requests/commands";
import { defaultOf } from "../../shared/requests/option";

import { wasRolledBack } from "./timeline";

export { timeline, wasRolledBack, type StepId, type StepStatus, type TimelineStep } from "./timeline";

export type ActionId =
  | "cbt-enable"
  | "sync-base"
  | "sync-incr"
  | "auto-sync"
  | "cutover"
  | "schedule-cutover"
  | "verify"
  | "start"
  | "cleanup"
  | "rollback"
  | "retry"
  | "delete";

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
        ? { primary: "cutover", secondary: ["schedule-cutover", "sync-incr", "auto-sync", "rollback"] }
        : { primary: "sync-incr", secondary: ["auto-sync", "cutover", "schedule-cutover", "rollback"] };
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

export interface MenuAction {
  id: "retry" | "delete";
  enabled: boolean;
  /** Why a disabled entry cannot run (the helper's own rule, said before it refuses). */
  reason?: string;
}

/**
 * The kebab of a rolled-back migration. Retry continues on the same workdir the way the helper allows it
 * after rollback (a new incremental round reopens the run: the old cutover is archived, disks the KVM
 * domain ran on are copied again), which needs a synced base and the target disks; delete is cleanup
 * with the workdir removed.
 */
export function rollbackMenu(m: Manifest): MenuAction[] {
  if (!wasRolledBack(m)) return [];
  const retry: MenuAction = { id: "retry", enabled: false };
  if (m.phase !== "rolled-back") retry.reason = "cleaned";
  else if (m.rollback?.disksRemoved) retry.reason = "disks-removed";
  else if (!m.rounds.some((r) => r.kind === "base" && r.status === "synced")) retry.reason = "no-base";
  else retry.enabled = true;
  return [retry, { id: "delete", enabled: true }];
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

/**
 * The KVM domain's state as the page shows it ("removed" after a rollback undefined it), null before
 * there is one. A recorded rollback is the answer, not the last list's libvirt state: that list may have
 * been read while the rollback ran, the domain still "shut off".
 */
export function domainStateShown(manifest: Manifest, listed: { state: string } | null | undefined): string | null {
  if (manifest.rollback?.domainUndefined) return "removed";
  return listed?.state ?? null;
}
