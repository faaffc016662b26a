// Long copies meet two kinds of source trouble that a re-run would fix, so the copy retries them itself:
// - the vCenter session expired (the datastore answers 401): log in again and copy once more;
// - the connection to the source was reset (nbdkit died, the datastore HTTP connection broke and
//   nbdkit's own short retries gave up): wait with backoff and copy again, a bounded number of times.
// A persistent failure still ends with its own error code after the last attempt.
import { V2kError } from "../../shared/v2k-error";

/** The part of the vSphere bridge the retry needs: a login counter and a call that logs in again when expired. */
export interface ReloginBridge {
  readonly relogins: number;
  ping(): Promise<unknown>;
}

export interface SourceRetryEvent {
  /** The attempt about to start (2 = the first retry). */
  attempt: number;
  attempts: number;
  /** Wait before it (0 after a new login). */
  delayMs: number;
  error: V2kError;
}

export interface SourceRetryOptions {
  signal?: AbortSignal;
  /** Attempts in all for a reset source (default 4). A new login gives one more, once. */
  attempts?: number;
  /** First backoff; doubles per attempt (default 1000 ms). */
  backoffMs?: number;
  /** Called once before the copy after a new login (e.g. to log a warning). */
  onRelogin?: () => void | Promise<void>;
  /** Called before each backoff retry (e.g. to log the attempt). */
  onRetry?: (ev: SourceRetryEvent) => void | Promise<void>;
}

const RETRYABLE = ["NBD_SOURCE_FAILED", "SESSION_EXPIRED"];

/**
 * Runs `work(false)`, then `work(true)` again after a retryable source failure: right away after a new
 * login (once), else after a backoff while attempts remain. The work must be idempotent (same snapshot,
 * same areas); `retry` tells it the target may hold a partial copy.
 */
export async function withSourceRetry<T>(
  bridge: ReloginBridge,
  work: (retry: boolean) => Promise<T>,
  o: SourceRetryOptions = {},
): Promise<T> {
  const attempts = o.attempts ?? 4;
  let attempt = 1;
  let reloggedIn = false;
  for (;;) {
    try {
      return await work(attempt > 1 || reloggedIn);
    } catch (e) {
      if (!(e instanceof V2kError) || !RETRYABLE.includes(e.code) || o.signal?.aborted) throw e;
      if (!reloggedIn && (await loggedInAgain(bridge))) {
        reloggedIn = true;
        await o.onRelogin?.();
        continue;
      }
      // the datastore still refuses a fresh session, or the attempts are used up: the error stands
      if (e.code === "SESSION_EXPIRED" || attempt >= attempts) throw e;
      const delayMs = (o.backoffMs ?? 1000) * 2 ** (attempt - 1);
      attempt++;
      await o.onRetry?.({ attempt, attempts, delayMs, error: e });
      await sleep(delayMs, o.signal);
    }
  }
}

/** Pings the session (which logs in again if it expired); true when a new login happened. */
async function loggedInAgain(bridge: ReloginBridge): Promise<boolean> {
  const before = bridge.relogins;
  await bridge.ping().catch(() => undefined);
  return bridge.relogins !== before;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      if (!signal?.aborted) return resolve();
      const r: unknown = signal.reason;
      reject(r instanceof V2kError ? r : new V2kError("CANCELLED", "the source retry was cancelled", "Re-run the command."));
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
