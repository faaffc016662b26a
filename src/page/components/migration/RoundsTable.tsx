// The numbers behind the convergence chart, one row per synced round (the base copy included).
import { _ } from "../../i18n";
import { formatBytes, formatDuration } from "../../format";
import { type ConvergencePoint } from "../../state/derive";

function kindLabel(kind: ConvergencePoint["kind"]): string {
  return kind === "base" ? _("base") : kind === "incr" ? _("incremental") : _("final");
}

export function RoundsTable({ points }: { points: ConvergencePoint[] }) {
  const th = "pf-v6-c-table__th pf-m-wrap";
  return (
    <table className="pf-v6-c-table pf-m-compact" aria-label={_("Rounds")} id="v2k-rounds">
      <thead className="pf-v6-c-table__thead">
        <tr className="pf-v6-c-table__tr">
          <th className={th} scope="col">
            {_("Round")}
          </th>
          <th className={th} scope="col">
            {_("Kind")}
          </th>
          <th className={th} scope="col">
            {_("Changed")}
          </th>
          <th className={th} scope="col">
            {_("Sync time")}
          </th>
        </tr>
      </thead>
      <tbody className="pf-v6-c-table__tbody">
        {points.map((r) => (
          <tr key={r.round} className="pf-v6-c-table__tr v2k-round" data-round={r.round} data-kind={r.kind} data-changed={r.changedBytes}>
            <td className="pf-v6-c-table__td">{r.round}</td>
            <td className="pf-v6-c-table__td">{kindLabel(r.kind)}</td>
            <td className="pf-v6-c-table__td">{formatBytes(r.changedBytes)}</td>
            <td className="pf-v6-c-table__td">{formatDuration(r.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
