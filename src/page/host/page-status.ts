// The page's status in the Cockpit shell: an icon and a tooltip beside "VMware migration" in the
// navigation, seen from any Cockpit page (the shell's "notify" control message; null clears it).
import { cockpit } from "./cockpit";

export type PageStatus = { type: "error" | "warning" | "info"; title: string } | null;

export function setPageStatus(status: PageStatus): void {
  try {
    cockpit().transport.control("notify", { page_status: status });
  } catch {
    // outside Cockpit (unit tests): nothing to tell
  }
}
