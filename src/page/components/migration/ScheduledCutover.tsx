// A cutover scheduled by `run --cutover-at`: for when (in the admin's local time and zone), what happens until
// then, and the way to call it off (cancelling the job that waits for it).
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { formatTime } from "../../format";
import { timezoneLabel } from "../../state/schedule";
import { Alert, AlertActionLink } from "../../pf";

const CUTTING_OVER: ReadonlySet<string> = new Set(["cutover-running", "final-synced", "defined", "started"]);

/** The scheduled moment has come: the cutover runs, and cancelling can no longer keep the VMware VM running. */
export function cutoverBegun(manifest: Manifest): boolean {
  return CUTTING_OVER.has(manifest.phase);
}

export function ScheduledCutover({ at, manifest, onCancel }: { at: Date; manifest: Manifest; onCancel(): void }) {
  const when = `${formatTime(at.toISOString())} (${timezoneLabel(at)})`;
  const begun = cutoverBegun(manifest);
  return (
    <Alert
      variant={begun ? "warning" : "info"}
      isInline
      id="v2k-schedule"
      className="v2k-banner"
      data-at={at.toISOString()}
      data-begun={begun}
      title={begun ? format(_("The cutover scheduled for $0 is running"), when) : format(_("Cutover scheduled for $0"), when)}
      actionLinks={
        begun ? undefined : (
          <AlertActionLink id="v2k-schedule-cancel" onClick={onCancel}>
            {_("Cancel the schedule")}
          </AlertActionLink>
        )
      }
    >
      {begun
        ? _("The VMware VM is being shut down and moved to this host; follow the steps above.")
        : _("Incremental rounds keep the KVM disks current until then; the VMware VM keeps running until the cutover begins.")}
    </Alert>
  );
}
