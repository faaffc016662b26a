// Per-disk state: what is synced, and during a sync a progress bar with bytes, rate and ETA.
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { formatBytes, formatDuration, formatRate } from "../../format";
import { type ProgressByDisk } from "../../state/derive";
import { Progress, ProgressMeasureLocation } from "../../pf";

export function DiskProgress({
  manifest,
  progress,
  slotWaits = {},
}: {
  manifest: Manifest;
  progress: ProgressByDisk;
  slotWaits?: Record<number, string>;
}) {
  return (
    <div id="v2k-disks">
      {manifest.disks.map((d) => {
        const p = progress[d.key];
        const pct = p && p.total > 0 ? Math.min(100, (100 * p.bytes) / p.total) : 0;
        return (
          <div key={d.key} className="v2k-disk" data-disk={d.key}>
            <div className="v2k-disk-head">
              <strong>{d.label}</strong> · {formatBytes(d.capacityBytes)} · <code>{d.target.path}</code>
              {" · "}
              {d.syncedRound === null ? _("not copied yet") : format(_("synced through round $0"), d.syncedRound)}
              {d.needsRebase && (
                <span className="v2k-rebase">
                  {" "}
                  · {_("full copy needed")}: {d.needsRebase}
                </span>
              )}
            </div>
            {slotWaits[d.key] !== undefined && (
              <div className="v2k-disk-waiting">
                <strong>{_("Waiting for a copy slot")}</strong>: {slotWaits[d.key]}
              </div>
            )}
            {p && p.total === 0 && <div className="v2k-disk-unchanged">{_("Unchanged since the last round: nothing to copy")}</div>}
            {p && p.total > 0 && (
              <Progress
                value={pct}
                title={d.label}
                measureLocation={ProgressMeasureLocation.outside}
                aria-label={format(_("$0 progress"), d.label)}
                className="v2k-disk-progress"
                helperText={`${formatBytes(p.bytes)} / ${formatBytes(p.total)} · ${formatRate(p.rateBps)}${p.etaSec !== undefined ? ` · ${_("ETA")} ${formatDuration(p.etaSec * 1000)}` : ""}`}
              />
            )}
          </div>
        );
      })}
    </div>
  );
}
