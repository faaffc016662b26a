// Where the helper lives, where workdirs are listed and where the host's Ceph conf is. Read once from the page's config.json
// (written by `make install`/`devel-install`, or by the browser tests) before the app starts.
import { DEFAULT_WORKDIR_ROOT } from "../../shared/results";
import { CEPH_DEFAULTS } from "../../shared/requests/commands";

export interface PageConfig {
  helper: string;
  workdirRoot: string;
  /** The host's Ceph conf: RBD targets are offered when it exists. */
  cephConf: string;
}

const defaults: PageConfig = { helper: "/usr/local/bin/ablestack_v2k", workdirRoot: DEFAULT_WORKDIR_ROOT, cephConf: CEPH_DEFAULTS.conf };
let current: PageConfig = { ...defaults };

export function pageConfig(): PageConfig {
  return current;
}

export function setPageConfig(config: Partial<PageConfig>): void {
  current = { ...defaults, ...config };
}

export async function loadPageConfig(): Promise<void> {
  try {
    const response = await fetch("config.json", { cache: "no-store" });
    if (!response.ok) return;
    const value = (await response.json()) as Partial<Record<keyof PageConfig, unknown>>;
    const next: Partial<PageConfig> = {};
    if (typeof value.helper === "string" && value.helper.startsWith("/")) next.helper = value.helper;
    if (typeof value.workdirRoot === "string" && value.workdirRoot.startsWith("/")) next.workdirRoot = value.workdirRoot;
    if (typeof value.cephConf === "string" && value.cephConf.startsWith("/")) next.cephConf = value.cephConf;
    setPageConfig(next);
  } catch {
    // No config.json: the installed defaults apply.
  }
}
