// Changed bytes (bars) and sync time (dots) per incremental round, with the cutover criterion as a
// dashed line: the admin sees the rounds converge. A table beside it carries the same numbers.
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { formatBytes, formatDuration } from "../../format";
import { convergence, type CutoverCriterion } from "../../state/derive";

const W = 560;
const H = 200;
const PAD = { left: 70, right: 60, top: 12, bottom: 28 };

export function ConvergenceChart({ manifest, criterion }: { manifest: Manifest; criterion: CutoverCriterion }) {
  const points = convergence(manifest);
  const rounds = points.filter((p) => p.kind !== "base");
  const base = points.find((p) => p.kind === "base");
  // Log scale: a base-sized round and a few-MiB round must both stay visible next to the criterion.
  const top = Math.max(criterion.maxChangedBytes * 4, ...rounds.map((r) => r.changedBytes * 2), 1024 * 1024);
  const bottom = 1024;
  const maxMs = Math.max(...rounds.map((r) => r.durationMs), 1000);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(rounds.length, 1);
  const y = (b: number) => PAD.top + plotH - (plotH * Math.log(Math.max(b, bottom) / bottom)) / Math.log(top / bottom);
  const yMs = (ms: number) => PAD.top + plotH - (plotH * ms) / maxMs;
  const ticks = [2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40].filter((t) => t >= bottom && t <= top);
  const thresholdY = y(criterion.maxChangedBytes);

  return (
    <div id="v2k-convergence">
      {rounds.length === 0
        ? <p>{_("The chart fills in as incremental rounds complete.")}</p>
        : (
          <svg viewBox={`0 0 ${W} ${H}`} role="img" className="v2k-chart" aria-label={_("Changed bytes and sync time per round")}>
            <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + plotH} className="v2k-axis" />
            <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} className="v2k-axis" />
            {ticks.map((t) => <text key={t} x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="v2k-tick">{formatBytes(t)}</text>)}
            <text x={W - PAD.right + 6} y={PAD.top + 10} className="v2k-tick">{formatDuration(maxMs)}</text>
            {rounds.map((r, i) => (
              <g key={r.round} className="v2k-bar" data-round={r.round}>
                <rect x={PAD.left + i * slot + (slot - Math.min(slot * 0.6, 48)) / 2} width={Math.min(slot * 0.6, 48)} y={y(r.changedBytes)} height={PAD.top + plotH - y(r.changedBytes)}>
                  <title>{format(_("Round $0: $1 changed, $2"), r.round, formatBytes(r.changedBytes), formatDuration(r.durationMs))}</title>
                </rect>
                <circle cx={PAD.left + i * slot + slot / 2} cy={yMs(r.durationMs)} r={4} className="v2k-dot" />
                <text x={PAD.left + i * slot + slot / 2} y={H - 8} textAnchor="middle" className="v2k-tick">{r.round}</text>
              </g>
            ))}
            <line x1={PAD.left} x2={W - PAD.right} y1={thresholdY} y2={thresholdY} className="v2k-threshold" />
            <text x={W - PAD.right - 4} y={thresholdY - 4} textAnchor="end" className="v2k-tick">{_("cutover criterion")}</text>
          </svg>
        )}
      <table className="pf-v6-c-table pf-m-compact" aria-label={_("Rounds")} id="v2k-rounds">
        <thead className="pf-v6-c-table__thead">
          <tr className="pf-v6-c-table__tr">
            <th className="pf-v6-c-table__th" scope="col">{_("Round")}</th>
            <th className="pf-v6-c-table__th" scope="col">{_("Kind")}</th>
            <th className="pf-v6-c-table__th" scope="col">{_("Changed")}</th>
            <th className="pf-v6-c-table__th" scope="col">{_("Sync time")}</th>
          </tr>
        </thead>
        <tbody className="pf-v6-c-table__tbody">
          {(base ? [base, ...rounds] : rounds).map((r) => (
            <tr key={r.round} className="pf-v6-c-table__tr v2k-round" data-round={r.round} data-kind={r.kind} data-changed={r.changedBytes}>
              <td className="pf-v6-c-table__td">{r.round}</td>
              <td className="pf-v6-c-table__td">{r.kind === "base" ? _("base") : r.kind === "incr" ? _("incremental") : _("final")}</td>
              <td className="pf-v6-c-table__td">{formatBytes(r.changedBytes)}</td>
              <td className="pf-v6-c-table__td">{formatDuration(r.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="v2k-criterion">
        {format(_("Cutover criterion: last round under $0 changed and $1 sync time."), formatBytes(criterion.maxChangedBytes), formatDuration(criterion.maxSeconds * 1000))}
      </p>
    </div>
  );
}
