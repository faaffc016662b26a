// Long copies can outlive the vCenter session whose cookie (or VDDK login) authorises the datastore
// reads. When a read fails and the session really expired, log in again and run the work once more.
import { V2kError } from "../../shared/v2k-error";

/** The part of the vSphere bridge the retry needs: a login counter and a call that logs in again when expired. */
export interface ReloginBridge {
  readonly relogins: number;
  ping(): Promise<unknown>;
}

export interface ReloginOptions {
  signal?: AbortSignal;
  /** Called once before the second run (e.g. to log a warning). */
  onRelogin?: () => void | Promise<void>;
}

const SESSION_ERRORS = ["NBD_SOURCE_FAILED", "SESSION_EXPIRED"];

/**
 * Run `work(false)`; when it fails with a source or session error, ping the session (which logs in
 * again if it expired) and, only when a new login happened, run `work(true)` once. The work must be
 * idempotent (same snapshot, same areas).
 */
export async function withRelogin<T>(bridge: ReloginBridge, work: (retry: boolean) => Promise<T>, o: ReloginOptions = {}): Promise<T> {
  const before = bridge.relogins;
  try {
    return await work(false);
  } catch (e) {
    if (!(e instanceof V2kError) || !SESSION_ERRORS.includes(e.code) || o.signal?.aborted) throw e;
    await bridge.ping().catch(() => undefined);
    if (bridge.relogins === before) throw e;
    await o.onRelogin?.();
    return work(true);
  }
}
