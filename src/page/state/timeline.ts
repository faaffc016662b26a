// The runbook as a timeline that tells what really happened: a failed or cancelled step is marked where it
// happened (a cancelled round on the rounds, a failed start on Start), and a rolled-back migration shows its
// cutover as rolled back and the later steps as skipped, also after cleanup (never all green).
import { type Manifest, type Phase } from "../../shared/manifest";

export type StepId = "preflight" | "init" | "cbt" | "base" | "incr" | "cutover" | "convert" | "verify" | "start" | "cleanup";
export type StepStatus = "done" | "current" | "pending" | "failed" | "cancelled" | "rolled-back" | "skipped";

export interface TimelineStep {
  id: StepId;
  status: StepStatus;
}

const order: StepId[] = ["preflight", "init", "cbt", "base", "incr", "cutover", "convert", "verify", "start", "cleanup"];

/** The step the next command belongs to, by phase. */
function nextStep(m: Manifest): StepId {
  const byPhase: Record<Phase, StepId> = {
    initialized: "cbt",
    "cbt-enabled": "base",
    "base-synced": "incr",
    "incr-synced": "cutover",
    "cutover-running": "cutover",
    "final-synced": "convert", // after the final sync: the conversion, then define
    defined: "verify",
    started: "cleanup",
    "rolled-back": "cleanup",
    cleaned: "cleanup",
  };
  if (m.phase === "defined" && m.verify.some((v) => v.ok)) return "start";
  return byPhase[m.phase];
}

/** Errors only a cutover raises (all before the source goes down but a shutdown timeout, all before its final round). */
const CUTOVER_ERRORS: ReadonlySet<string> = new Set(["NETWORK_MISSING", "SOURCE_RUNNING", "SHUTDOWN_TIMEOUT", "DOMAIN_XML_INVALID"]);

/** Where the last error happened: an unfinished round is a sync's, a cutover's own refusal the cutover's, otherwise the next step's. */
function failedStep(m: Manifest): StepId {
  // the rehearsal (source still up) or the conversion itself
  if (m.lastError?.code === "CONVERSION_FAILED") return "convert";
  const last = m.rounds.at(-1);
  if (last && last.status !== "synced") return last.kind === "base" ? "base" : last.kind === "incr" ? "incr" : "cutover";
  if (m.lastError && CUTOVER_ERRORS.has(m.lastError.code) && order.indexOf(nextStep(m)) <= order.indexOf("cutover")) return "cutover";
  if (m.phase === "base-synced" || m.phase === "incr-synced") return "incr"; // a round that failed before its snapshot
  return nextStep(m);
}

function rolledBackTimeline(m: Manifest): TimelineStep[] {
  const cutoverHappened = m.cutover !== undefined || (m.pastCutovers?.length ?? 0) > 0;
  const syncedKinds = new Set(m.rounds.filter((r) => r.status === "synced").map((r) => r.kind));
  return order.map((id): TimelineStep => {
    if (id === "cutover") return { id, status: cutoverHappened ? "rolled-back" : "skipped" };
    if (id === "convert") return { id, status: converted(m) ? "rolled-back" : "skipped" };
    if (id === "verify" || id === "start") return { id, status: "skipped" };
    if (id === "cleanup") return { id, status: m.phase === "cleaned" ? "done" : m.lastError ? "failed" : "current" };
    if (id === "base") return { id, status: syncedKinds.has("base") ? "done" : "skipped" };
    if (id === "incr") return { id, status: syncedKinds.has("incr") ? "done" : "skipped" };
    if (id === "cbt") return { id, status: m.cbt.enabledByUs || syncedKinds.size > 0 ? "done" : "skipped" };
    return { id, status: "done" };
  });
}

/** A conversion wrote the targets (this cutover's or one a rollback archived). */
function converted(m: Manifest): boolean {
  const states = [m.cutover, ...(m.pastCutovers ?? [])].map((c) => c?.conversion?.state);
  return states.some((s) => s === "converted" || s === "committed");
}

/** A finished conversion step that converted nothing (none asked, no OS, no tool) reads "skipped", not done. */
function convertDone(m: Manifest): StepStatus {
  const c = m.cutover?.conversion;
  return c && (c.state === "converted" || c.state === "committed") ? "done" : "skipped";
}

/** Rolled back: the phase says so, or cleanup ran after a rollback (cleanup keeps the rollback record). */
export function wasRolledBack(m: Manifest): boolean {
  if (m.phase === "rolled-back") return true;
  const rollbackAt = m.rollback?.at;
  // a retry after the rollback that reached a good verify was a migration after all
  return m.phase === "cleaned" && rollbackAt !== undefined && !m.verify.some((v) => v.ok && v.at > rollbackAt);
}

export function timeline(m: Manifest, running: boolean): TimelineStep[] {
  if (wasRolledBack(m)) return rolledBackTimeline(m);
  if (m.phase === "cleaned") return order.map((id) => ({ id, status: id === "convert" ? convertDone(m) : ("done" as const) }));
  const next = order.indexOf(nextStep(m));
  const error = running ? null : m.lastError;
  const at = error ? order.indexOf(failedStep(m)) : next;
  const errorStatus: StepStatus = error?.code === "CANCELLED" ? "cancelled" : "failed";
  return order.map((id, i) => {
    if (i === at && error) return { id, status: errorStatus };
    if (i < next) return { id, status: id === "convert" ? convertDone(m) : ("done" as const) };
    if (i === next) return { id, status: error ? ("pending" as const) : ("current" as const) };
    return { id, status: "pending" as const };
  });
}
