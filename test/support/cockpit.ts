// Browser tests: the built page installed into a private XDG_DATA_HOME, Debian's cockpit-ws serving it
// with a root session on loopback (no login), and headless Chromium driven by puppeteer-core.
// Everything started here is stopped by close(), which tests call from t.after().
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa, type ResultPromise } from "execa";
import puppeteer, { type Browser, type ElementHandle, type Frame, type Page } from "puppeteer-core";

export const COCKPIT_WS = "/usr/lib/cockpit/cockpit-ws";
export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = resolve("test-artifacts");

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}

export interface CockpitOptions {
  /** Where the page's helper lives (config.json); defaults to this checkout's dist/ablestack_v2k. */
  helper?: string;
  /** Workdir root the page lists and the helper creates workdirs under. */
  workdirRoot: string;
  /** The Ceph conf the page offers RBD targets from (config.json; default the host's /etc/ceph/ceph.conf). */
  cephConf?: string;
  /** Serve the page installed on the system (/usr/share/cockpit) instead of a copy of dist/page. */
  installedPage?: boolean;
  /** Run cockpit-ws (and so the session's bridge) as this unprivileged user: no administrative access. */
  unprivilegedUser?: "nobody";
}

export interface CockpitSession {
  base: string; // http://127.0.0.1:P
  pageUrl: string; // the plugin's index.html
  dir: string;
  browser: Browser;
  /** A new tab with the Cockpit language set; console errors and page errors are collected. */
  open(lang?: "en" | "ko", width?: number, height?: number): Promise<Page & { v2kErrors: string[]; v2kConsole: string[] }>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startCockpit(options: CockpitOptions): Promise<CockpitSession> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-cockpit-"));
  const pluginDir = join(dir, "xdg", "cockpit", "ablestack-v2k");
  mkdirSync(join(dir, "xdg", "cockpit"), { recursive: true });
  if (!options.installedPage) {
    cpSync("dist/page", pluginDir, { recursive: true });
    writeFileSync(
      join(pluginDir, "config.json"),
      JSON.stringify({
        helper: options.helper ?? resolve("dist/ablestack_v2k"),
        workdirRoot: options.workdirRoot,
        ...(options.cephConf ? { cephConf: options.cephConf } : {}),
      }),
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });

  let ws: ResultPromise | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    if (ws && ws.exitCode === null) {
      ws.kill("SIGTERM");
      await Promise.race([ws.catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
      if (ws.exitCode === null) ws.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const wsArgs = ["--no-tls", "--local-session=cockpit-bridge", "--address", "127.0.0.1", "--port", String(port)];
    if (options.unprivilegedUser) chmodSync(dir, 0o755); // the unprivileged bridge reads the plugin from here
    const [file, args] = options.unprivilegedUser
      ? ["setpriv", ["--reuid", options.unprivilegedUser, "--regid", "nogroup", "--clear-groups", "--", COCKPIT_WS, ...wsArgs]]
      : [COCKPIT_WS, wsArgs];
    ws = execa(file, args, {
      env: { XDG_DATA_HOME: join(dir, "xdg"), LANG: "C.UTF-8", HOME: dir }, // the page passes V2K_STATE_DIR itself
      stdin: "ignore",
      stdout: "ignore",
      stderr: { file: join(dir, "ws.log") },
      reject: false,
      cleanup: true,
    }) as ResultPromise;
    const base = `http://127.0.0.1:${port}`;
    const pageUrl = `${base}/cockpit/@localhost/ablestack-v2k/index.html`;
    await waitForHttp(pageUrl, 15_000);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: join(dir, "chromium"),
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
      ],
      // a waitForFunction is one protocol call for its whole wait: longer than the longest wait (phases take minutes under load)
      protocolTimeout: 600_000,
    });
    const b = browser;
    return {
      base,
      pageUrl,
      dir,
      browser: b,
      async open(lang = "en", width = 1280, height = 720) {
        const page = (await b.newPage()) as Page & { v2kErrors: string[]; v2kConsole: string[] };
        page.v2kErrors = [];
        page.v2kConsole = [];
        page.on("pageerror", (e) => page.v2kErrors.push(String(e)));
        page.on("console", (m) => page.v2kConsole.push(`${m.type()}: ${m.text()}`));
        await page.setViewport({ width, height });
        await page.setCookie({ name: "CockpitLang", value: lang, domain: "127.0.0.1", path: "/" });
        await page.goto(pageUrl, { waitUntil: "domcontentloaded" });
        return page;
      },
      async screenshot(page, name) {
        // PatternFly's page scrolls inside its main container: grow the viewport to show all of it.
        const file = join(ARTIFACTS, `${name}.png`);
        await transitionsDone(page);
        if (await dialogScreenshot(page, file)) return file;
        const viewport = page.viewport();
        const height = await page.evaluate(() =>
          Math.max(
            ...[...document.querySelectorAll(".pf-v6-c-page__main-container, .pf-v6-c-page__main, body")].map((e) => e.scrollHeight),
          ),
        );
        if (viewport && height > viewport.height) await page.setViewport({ ...viewport, height: Math.min(height + 40, 4000) });
        await page.screenshot({ path: file as `${string}.png` });
        if (viewport && height > viewport.height) await page.setViewport(viewport);
        return file;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The open modal of the page or of a frame in it (our page in the shell's iframe renders its dialogs there). */
async function openModal(page: Page): Promise<ElementHandle<Element> | null> {
  for (const frame of page.frames()) {
    const box = await frame.$(".pf-v6-c-modal-box").catch(() => null);
    if (box && (await box.boundingBox())) return box;
  }
  return null;
}

/**
 * A screenshot of an open dialog shows the dialog, whole: a body that scrolls inside the modal grows the viewport
 * (and so the shell's iframe) until it fits, then the capture is clipped to the modal box (puppeteer gives its box
 * in the top page's coordinates, the iframe's offset included). False when no dialog is open.
 */
async function dialogScreenshot(page: Page, file: string): Promise<boolean> {
  const box = await openModal(page);
  if (!box) return false;
  const viewport = page.viewport();
  const hidden = await box.evaluate((e) => {
    const body = e.querySelector(".pf-v6-c-modal-box__body");
    return body ? body.scrollHeight - body.clientHeight : 0;
  });
  const grow = viewport && hidden > 0;
  if (grow) {
    await page.setViewport({ ...viewport, height: Math.min(viewport.height + hidden + 40, 4000) });
    await transitionsDone(page);
  }
  try {
    const r = await box.boundingBox();
    if (!r) return false;
    const pad = 8;
    const x = Math.max(0, r.x - pad);
    const y = Math.max(0, r.y - pad);
    await page.screenshot({ path: file as `${string}.png`, clip: { x, y, width: r.width + 2 * pad, height: r.height + 2 * pad } });
    return true;
  } finally {
    if (grow) await page.setViewport(viewport);
  }
}

/**
 * Waits (at most 2 s) until no finite CSS transition or animation runs in the page or its frames: a button
 * enabled a moment ago still fades in from its disabled colours for 0.2 s, and a capture then shows it grey.
 */
async function transitionsDone(page: Page): Promise<void> {
  const running = () =>
    document.getAnimations().filter((a) => a.playState === "running" && a.effect?.getComputedTiming().endTime !== Infinity).length;
  const until = Date.now() + 2000;
  while (Date.now() < until) {
    const counts = await Promise.all(page.frames().map((f) => f.evaluate(running).catch(() => 0)));
    if (counts.every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The frame of a Cockpit page inside the shell (its URL holds `part`, e.g. "/ablestack-v2k/index.html"). */
export async function frameOf(page: Page, part: string, timeoutMs = 60_000): Promise<Frame> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const frame = page.frames().find((f) => f.url().includes(part));
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `no frame ${part}; frames: ${page
      .frames()
      .map((f) => f.url())
      .join(", ")}`,
  );
}
