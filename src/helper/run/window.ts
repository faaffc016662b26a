// `run --cutover-at`: incremental rounds keep the targets current until the scheduled window. The
// conversion is rehearsed at once (a conversion that would fail is known long before the window) and
// once more on the last round that leaves it time to finish before the window: a later round would make
// that rehearsal stale and the cutover would repeat it inside the window.
import { type CutoverSchedule } from "../../shared/events";
import { say } from "../../shared/i18n/lang";

export interface WindowRound {
  round: number;
  changedBytes: number;
  durationMs: number;
}

export interface WindowDeps {
  round(): Promise<WindowRound>;
  /** undefined when the cutover converts nothing (no rehearsal needed). */
  rehearse(): Promise<{ durationMs: number } | undefined>;
  /** The first line also carries the schedule as fields (readers need not parse a language). */
  log(message: string, schedule?: CutoverSchedule): void;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Margin on the last rehearsal's duration when deciding whether another round still fits before it. */
const REHEARSAL_MARGIN = 1.25;

/** Runs rounds until `at` (epoch ms); returns how many. Rehearsal failures throw before the window. */
export async function syncUntilWindow(at: number, intervalMs: number, d: WindowDeps): Promise<number> {
  const when = new Date(at).toISOString();
  const every = intervalMs / 1000;
  d.log(
    say(
      `the cutover is scheduled for ${when}; incremental rounds every ${every} s until then`,
      `컷오버 예정 시각 ${when}: 그때까지 ${every}초마다 증분 라운드를 실행합니다`,
    ),
    { cutoverAt: when, intervalSec: every },
  );
  let rehearsal = await d.rehearse();
  let rounds = 0;
  for (;;) {
    if (rounds > 0) await d.sleep(Math.max(0, Math.min(intervalMs, at - d.now())));
    if (d.now() >= at) break;
    const r = await d.round();
    rounds++;
    const left = at - d.now();
    const secs = (r.durationMs / 1000).toFixed(1);
    const until = Math.max(0, left / 1000).toFixed(0);
    d.log(
      say(
        `incremental round ${r.round}: ${r.changedBytes} changed bytes in ${secs} s; cutover in ${until} s`,
        `증분 라운드 ${r.round}: ${secs}초 동안 ${r.changedBytes}바이트 변경. 컷오버까지 ${until}초`,
      ),
    );
    // another round would leave no time to rehearse on it: rehearse on this one, then wait
    if (rehearsal && left < intervalMs + r.durationMs + rehearsal.durationMs * REHEARSAL_MARGIN) {
      d.log(
        say(
          `the conversion is rehearsed on round ${r.round}, the last before the window`,
          `컷오버 전 마지막 라운드인 라운드 ${r.round}에서 변환을 리허설합니다`,
        ),
      );
      rehearsal = await d.rehearse();
      break;
    }
  }
  if (d.now() < at) await d.sleep(at - d.now());
  d.log(say(`the scheduled cutover time ${when} has come`, `예정된 컷오버 시각 ${when}이 되었습니다`));
  return rounds;
}
