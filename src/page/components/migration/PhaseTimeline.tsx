// The runbook as a timeline: preflight, inventory, CBT, base, rounds, cutover, verify, start, cleanup; what went
// wrong (failed, cancelled, rolled back, skipped) is written under its step, not only coloured.
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { stepLabel } from "../../labels";
import { timeline, type StepStatus } from "../../state/derive";
import { ProgressStep, ProgressStepper } from "../../pf";
import { formatDuration } from "../../format";
import { conversionView } from "../../state/conversion-view";

const variant: Record<StepStatus, "success" | "info" | "pending" | "danger" | "warning" | "default"> = {
  done: "success",
  current: "info",
  pending: "pending",
  failed: "danger",
  cancelled: "warning",
  "rolled-back": "warning",
  skipped: "default",
};

/** Words under a step for what icons alone would not say. */
function statusNote(status: StepStatus): string | undefined {
  if (status === "cancelled") return _("Cancelled");
  if (status === "rolled-back") return _("Rolled back");
  if (status === "skipped") return _("Skipped");
  if (status === "failed") return _("Failed");
  return undefined;
}

/** Under the conversion step: the conversion's time once done, else how the rehearsal went. */
function conversionNote(manifest: Manifest, running: boolean): string | undefined {
  const v = conversionView(manifest, running);
  if (v.conversion?.state === "committed" && v.conversion.durationMs !== null) return formatDuration(v.conversion.durationMs);
  if (v.conversion || !v.rehearsal) return undefined;
  if (v.rehearsal.state === "ok" && !v.rehearsal.stale) return _("Rehearsed");
  if (v.rehearsal.state === "no-os") return _("No OS to convert");
  return undefined;
}

export function PhaseTimeline({ manifest, running }: { manifest: Manifest; running: boolean }) {
  const incrRounds = manifest.rounds.filter((r) => r.kind === "incr" && r.status === "synced").length;
  const notes: Partial<Record<string, string | undefined>> = {
    incr: incrRounds > 0 ? format(_("Rounds: $0"), incrRounds) : undefined,
    convert: conversionNote(manifest, running),
  };
  return (
    <ProgressStepper aria-label={_("Migration steps")} id="v2k-timeline" isCenterAligned>
      {timeline(manifest, running).map((s) => (
        <ProgressStep
          key={s.id}
          id={`v2k-step-${s.id}`}
          titleId={`v2k-step-${s.id}-title`}
          variant={variant[s.status]}
          isCurrent={s.status === "current" || s.status === "failed" || s.status === "cancelled"}
          data-status={s.status}
          description={[notes[s.id], statusNote(s.status)].filter(Boolean).join(" · ") || undefined}
        >
          {stepLabel(s.id)}
        </ProgressStep>
      ))}
    </ProgressStepper>
  );
}
