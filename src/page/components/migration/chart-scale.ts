// Linear axis ticks at 1-2-5 steps, for bytes (steps in the largest binary unit that fits) and durations.
export interface Axis {
  max: number;
  ticks: number[];
}

function niceStep(rough: number): number {
  const p = 10 ** Math.floor(Math.log10(rough));
  const f = rough / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

/** Ticks from 0 to at least `max`, about `count` of them, each a multiple of `unit` times a 1-2-5 step. */
export function linearAxis(max: number, unit = 1, count = 4): Axis {
  const inUnits = Math.max(max / unit, 1e-9);
  const step = niceStep(inUnits / count);
  const top = Math.ceil(inUnits / step) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) ticks.push(Math.round(v / step) * step * unit);
  return { max: top * unit, ticks };
}

export function bytesAxis(max: number, count = 4): Axis {
  const unit = 1024 ** Math.max(0, Math.floor(Math.log(Math.max(max, 1)) / Math.log(1024)));
  return linearAxis(Math.max(max, 1), unit, count);
}

export function secondsAxis(maxMs: number, count = 4): Axis {
  return linearAxis(Math.max(maxMs, 1000), 1000, count);
}
