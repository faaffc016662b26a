// Changed bytes (bars, left axis) and sync time (dots joined by a line, right axis) per incremental round,
// with the cutover criterion as a dashed line behind the bars. Linear scales, drawn at the size of its box
// (no scaling of the SVG, so labels keep their real font size). The rounds table carries the same numbers.
import { useEffect, useRef, useState } from "react";
import { type Manifest } from "../../../shared/manifest";
import { _, format } from "../../i18n";
import { formatBytes, formatDuration } from "../../format";
import { convergence, type ConvergencePoint, type CutoverCriterion } from "../../state/derive";
import { bytesAxis, secondsAxis, type Axis } from "./chart-scale";
import { RoundsTable } from "./RoundsTable";

const H = 220;
const PAD = { left: 72, right: 60, top: 14, bottom: 30 };

/** The width of an element, following resizes (the chart is drawn for it). */
function useWidth(): [React.RefObject<HTMLDivElement>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(() => setWidth(Math.floor(el.clientWidth)));
    observer.observe(el);
    setWidth(Math.floor(el.clientWidth));
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

interface Plot {
  width: number;
  bytes: Axis;
  seconds: Axis;
  criterionInside: boolean;
}

function plotFor(width: number, rounds: ConvergencePoint[], criterion: CutoverCriterion): Plot {
  const maxChanged = Math.max(...rounds.map((r) => r.changedBytes), 1);
  // The criterion joins the scale only when it does not squash the bars; otherwise the legend says "above".
  const criterionInside = criterion.maxChangedBytes <= 2 * maxChanged;
  const bytes = bytesAxis(criterionInside ? Math.max(maxChanged, criterion.maxChangedBytes) : maxChanged);
  const seconds = secondsAxis(Math.max(...rounds.map((r) => r.durationMs)));
  return { width, bytes, seconds, criterionInside };
}

function ChartSvg({ rounds, criterion, plot }: { rounds: ConvergencePoint[]; criterion: CutoverCriterion; plot: Plot }) {
  const { width, bytes, seconds } = plot;
  const plotW = width - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bottom = PAD.top + plotH;
  const y = (b: number) => bottom - (plotH * b) / bytes.max;
  const yMs = (ms: number) => bottom - (plotH * ms) / seconds.max;
  const slot = plotW / Math.max(rounds.length, 1);
  const barW = Math.min(slot * 0.6, 48);
  const cx = (i: number) => PAD.left + i * slot + slot / 2;
  return (
    <svg
      width={width}
      height={H}
      viewBox={`0 0 ${width} ${H}`}
      role="img"
      className="v2k-chart"
      aria-label={_("Changed bytes and sync time per round")}
    >
      {bytes.ticks.map((t) => (
        <g key={`b${t}`}>
          <line x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} className="v2k-grid" />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="v2k-tick v2k-tick-bytes">
            {formatBytes(t)}
          </text>
        </g>
      ))}
      {seconds.ticks.map((t) => (
        <text key={`s${t}`} x={width - PAD.right + 6} y={yMs(t) + 4} className="v2k-tick v2k-tick-seconds">
          {formatDuration(t)}
        </text>
      ))}
      {plot.criterionInside && (
        <line
          x1={PAD.left}
          x2={width - PAD.right}
          y1={y(criterion.maxChangedBytes)}
          y2={y(criterion.maxChangedBytes)}
          className="v2k-threshold"
        />
      )}
      {rounds.map((r, i) => (
        <g key={r.round} className="v2k-bar" data-round={r.round}>
          <rect x={cx(i) - barW / 2} width={barW} y={y(r.changedBytes)} height={bottom - y(r.changedBytes)}>
            <title>{format(_("Round $0: $1 changed, $2"), r.round, formatBytes(r.changedBytes), formatDuration(r.durationMs))}</title>
          </rect>
          <text x={cx(i)} y={H - 10} textAnchor="middle" className="v2k-tick">
            {r.round}
          </text>
        </g>
      ))}
      <polyline points={rounds.map((r, i) => `${cx(i)},${yMs(r.durationMs)}`).join(" ")} className="v2k-time-line" />
      {rounds.map((r, i) => (
        <circle key={r.round} cx={cx(i)} cy={yMs(r.durationMs)} r={4} className="v2k-dot" />
      ))}
      <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={bottom} className="v2k-axis" />
      <line x1={width - PAD.right} x2={width - PAD.right} y1={PAD.top} y2={bottom} className="v2k-axis" />
      <line x1={PAD.left} x2={width - PAD.right} y1={bottom} y2={bottom} className="v2k-axis" />
    </svg>
  );
}

function Legend({ criterion, criterionInside }: { criterion: CutoverCriterion; criterionInside: boolean }) {
  const limit = formatBytes(criterion.maxChangedBytes);
  return (
    <ul className="v2k-chart-legend">
      <li>
        <span className="v2k-key v2k-key-bar" aria-hidden="true" />
        {_("Changed data per round (left axis)")}
      </li>
      <li>
        <span className="v2k-key v2k-key-dot" aria-hidden="true" />
        {_("Sync time per round (right axis)")}
      </li>
      <li>
        <span className="v2k-key v2k-key-threshold" aria-hidden="true" />
        {criterionInside ? format(_("Cutover criterion: $0"), limit) : format(_("Cutover criterion: $0 (above the chart)"), limit)}
      </li>
    </ul>
  );
}

export function ConvergenceChart({ manifest, criterion }: { manifest: Manifest; criterion: CutoverCriterion }) {
  const [box, width] = useWidth();
  const points = convergence(manifest);
  const rounds = points.filter((p) => p.kind !== "base");
  const plot = plotFor(Math.max(width, 260), rounds, criterion);
  return (
    <div id="v2k-convergence">
      <div ref={box} className="v2k-chart-box">
        {rounds.length === 0 ? (
          <p>{_("The chart fills in as incremental rounds complete.")}</p>
        ) : (
          width > 0 && <ChartSvg rounds={rounds} criterion={criterion} plot={plot} />
        )}
      </div>
      {rounds.length > 0 && <Legend criterion={criterion} criterionInside={plot.criterionInside} />}
      <RoundsTable points={points} />
      <p className="v2k-criterion">
        {format(
          _("Cutover criterion: last round under $0 changed and $1 sync time."),
          formatBytes(criterion.maxChangedBytes),
          formatDuration(criterion.maxSeconds * 1000),
        )}
      </p>
    </div>
  );
}
