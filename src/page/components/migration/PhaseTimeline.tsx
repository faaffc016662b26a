// The runbook as a timeline: preflight, inventory, CBT, base, incremental rounds, cutover, verify, cleanup.
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { stepLabel } from "../../labels";
import { timeline, type StepStatus } from "../../state/derive";
import { ProgressStep, ProgressStepper } from "../../pf";

const variant: Record<StepStatus, "success" | "info" | "pending" | "danger" | "default"> = {
  done: "success", current: "info", pending: "pending", failed: "danger", skipped: "default",
};

export function PhaseTimeline({ manifest, running }: { manifest: Manifest; running: boolean }) {
  const incrRounds = manifest.rounds.filter((r) => r.kind === "incr" && r.status === "synced").length;
  return (
    <ProgressStepper aria-label={_("Migration steps")} id="v2k-timeline" isCenterAligned>
      {timeline(manifest, running).map((s) => (
        <ProgressStep key={s.id} id={`v2k-step-${s.id}`} titleId={`v2k-step-${s.id}-title`} variant={variant[s.status]}
          isCurrent={s.status === "current" || s.status === "failed"} data-status={s.status}
          description={s.id === "incr" && incrRounds > 0 ? format(_("Rounds: $0"), incrRounds) : undefined}>
          {stepLabel(s.id)}
        </ProgressStep>
      ))}
    </ProgressStepper>
  );
}
