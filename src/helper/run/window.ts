// `run --cutover-at`: incremental rounds keep the targets current until the scheduled window. The
// conversion is rehearsed at once (a conversion that would fail is known long before the window) and
// once more on the last round that leaves it time to finish before the window: a later round would make
// that rehearsal stale and the cutover would repeat it inside the window.

export interface WindowRound {
  round: number;
  changedBytes: number;
  durationMs: number;
}

export interface WindowDeps {
  round(): Promise<WindowRound>;
  /** undefined when the cutover converts nothing (no rehearsal needed). */
  rehearse(): Promise<{ durationMs: number } | undefined>;
  log(message: string): void;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Margin on the last rehearsal's duration when deciding whether another round still fits before it. */
const REHEARSAL_MARGIN = 1.25;

/** Runs rounds until `at` (epoch ms); returns how many. Rehearsal failures throw before the window. */
export async function syncUntilWindow(at: number, intervalMs: number, d: WindowDeps): Promise<number> {
  d.log(`the cutover is scheduled for ${new Date(at).toISOString()}; incremental rounds every ${intervalMs / 1000} s until then`);
  let rehearsal = await d.rehearse();
  let rounds = 0;
  for (;;) {
    if (rounds > 0) await d.sleep(Math.max(0, Math.min(intervalMs, at - d.now())));
    if (d.now() >= at) break;
    const r = await d.round();
    rounds++;
    const left = at - d.now();
    d.log(
      `incremental round ${r.round}: ${r.changedBytes} changed bytes in ${(r.durationMs / 1000).toFixed(1)} s; ` +
        `cutover in ${Math.max(0, left / 1000).toFixed(0)} s`,
    );
    // another round would leave no time to rehearse on it: rehearse on this one, then wait
    if (rehearsal && left < intervalMs + r.durationMs + rehearsal.durationMs * REHEARSAL_MARGIN) {
      d.log(`the conversion is rehearsed on round ${r.round}, the last before the window`);
      rehearsal = await d.rehearse();
      break;
    }
  }
  if (d.now() < at) await d.sleep(at - d.now());
  d.log(`the scheduled cutover time ${new Date(at).toISOString()} has come`);
  return rounds;
}
