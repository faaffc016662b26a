// Where the helper lives and where workdirs are listed. Read once from the page's config.json
// (written by `make install`/`devel-install`, or by the browser tests) before the app starts.
import { DEFAULT_WORKDIR_ROOT } from "../../shared/results";

export interface PageConfig {
  helper: string;
  workdirRoot: string;
}

const defaults: PageConfig = { helper: "/usr/local/bin/ablestack_v2k", workdirRoot: DEFAULT_WORKDIR_ROOT };
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
    setPageConfig(next);
  } catch {
    // No config.json: the installed defaults apply.
  }
}
