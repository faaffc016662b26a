// A migrated guest's serial console log (libvirt writes <domain>.console.log beside the domain XML):
// waiting for the guest's boot marker, with the log's tail in the failure for the reason.
import { existsSync, readFileSync } from "node:fs";

const tail = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").slice(-1500) : "(no file)");

/** Resolves with the milliseconds until `re` appears in the file at `path`; throws with its tail after `timeoutMs`. */
export async function waitForConsole(path: string, re: RegExp, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (existsSync(path) && re.test(readFileSync(path, "utf8"))) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${re} did not appear in ${path} within ${timeoutMs} ms:\n${tail(path)}`);
}
