// The page's one state object. Components subscribe to "changed" and read fields; all host work goes
// through ../host. The URL (cockpit.location) is the router.
import { type ErrorInfo } from "../../shared/errors";
import { type V2kEvent } from "../../shared/events";
import { type Manifest } from "../../shared/manifest";
import { type ListedMigration, type OperationRecord, type UnreadableWorkdir } from "../../shared/results";
import { checkAdministrativeAccess } from "../host/admin";
import * as api from "../host/api";
import { cockpit } from "../host/cockpit";
import { toHelperError } from "../host/helper-error";
import { watchEvents, watchManifest, watchOperation, type Unwatch } from "../host/watch";
import { RootWatch } from "../host/root-watch";
import { pageConfig } from "../host/config";
import { setPageStatus } from "../host/page-status";
import { listEndedNotices, operationEndedNotice, pageStatusOf, type Notice } from "./notices";
import { OPTION_STEPS, normalizeStepTexts, type StepOptionTexts } from "./step-options";
import { type ActionId, type ProgressByDisk } from "./derive";

export type Route = { view: "list" } | { view: "new" } | { view: "migration"; workdir: string };

export interface MigrationView {
  workdir: string;
  manifest: Manifest | null;
  manifestError: ErrorInfo | null;
  events: V2kEvent[];
  progress: ProgressByDisk;
  /** Disks whose copy waits for a host copy slot (other migrations hold them): the helper's words. */
  slotWaits: Record<number, string>;
  operation: OperationRecord | null;
  /** Output lines of the helper that matched no schema (shown, never silently dropped). */
  malformed: string[];
}

/** Events kept in memory for the log view; older ones stay in events.log on disk. */
export const MAX_EVENTS = 5000;

type Listener = () => void;

export class AppState {
  admin: "unknown" | "allowed" | "denied" = "unknown";
  route: Route = { view: "list" };
  list: { loaded: boolean; migrations: ListedMigration[]; unreadable: UnreadableWorkdir[]; error: ErrorInfo | null } = {
    loaded: false,
    migrations: [],
    unreadable: [],
    error: null,
  };
  current: MigrationView | null = null;
  /** vCenter credentials by URL, in memory only: never stored, never logged. */
  private readonly credentials = new Map<string, api.VcenterConnection>();
  private readonly listeners = new Set<Listener>();
  private unwatch: Unwatch[] = [];

  on(_event: "changed", listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected changed(): void {
    for (const l of [...this.listeners]) l();
  }

  async checkAdmin(): Promise<void> {
    this.admin = (await checkAdministrativeAccess()) ? "allowed" : "denied";
    this.changed();
  }

  // --- routing -------------------------------------------------------------------------------

  static routeFromLocation(path: string[], options: Record<string, string | string[]>): Route {
    const workdir = options["workdir"];
    if (path[0] === "new") return { view: "new" };
    if (path[0] === "migration" && typeof workdir === "string" && workdir.startsWith("/")) return { view: "migration", workdir };
    return { view: "list" };
  }

  /** Follows cockpit.location; call once at start. */
  attachRouter(): () => void {
    const c = cockpit();
    const update = () => this.setRoute(AppState.routeFromLocation(c.location.path, c.location.options));
    // Coming back to the page shows fresh states (no polling while it is open).
    const visible = () => {
      if (!c.hidden) void this.refreshList();
    };
    c.addEventListener("locationchanged", update);
    c.addEventListener("visibilitychange", visible);
    update();
    return () => {
      c.removeEventListener("locationchanged", update);
      c.removeEventListener("visibilitychange", visible);
    };
  }

  go(route: Route): void {
    const loc = cockpit().location;
    if (route.view === "list") loc.go([]);
    else if (route.view === "new") loc.go(["new"]);
    else loc.go(["migration"], { workdir: route.workdir });
  }

  private routed = false;

  setRoute(route: Route): void {
    const same =
      this.routed &&
      this.route.view === route.view &&
      (route.view !== "migration" || (this.route as { workdir?: string }).workdir === route.workdir);
    this.route = route;
    this.routed = true;
    if (!same || (route.view === "migration" && !this.current)) {
      this.detach();
      this.actionError = null; // it belonged to the page being left
      if (route.view === "migration") this.attach(route.workdir);
      if (route.view === "list") {
        // the list follows the root while open: new workdirs, phase changes, jobs ending
        this.rootWatch = new RootWatch(pageConfig().workdirRoot, () => void this.refreshList());
        void this.refreshList();
      }
    }
    this.changed();
  }

  // --- migrations list -----------------------------------------------------------------------

  private rootWatch: RootWatch | null = null;
  private listInFlight: Promise<void> | null = null;
  private listAgain = false;

  /** Re-reads the list; calls during a refresh fold into one more refresh after it. */
  async refreshList(): Promise<void> {
    if (this.listInFlight) {
      this.listAgain = true;
      return this.listInFlight;
    }
    this.listInFlight = this.loadList();
    try {
      await this.listInFlight;
    } finally {
      this.listInFlight = null;
    }
    if (this.listAgain) {
      this.listAgain = false;
      await this.refreshList();
    }
  }

  private async loadList(): Promise<void> {
    try {
      const result = await api.listMigrations().promise;
      if (this.list.loaded) this.notify(listEndedNotices(this.list.migrations, result.migrations));
      this.list = { loaded: true, migrations: result.migrations, unreadable: result.unreadable, error: null };
      this.rootWatch?.follow([...result.migrations, ...result.unreadable].map((m) => m.workdir));
    } catch (e) {
      const info = toHelperError(e).info;
      if (info.code === "ADMIN_REQUIRED") this.admin = "denied";
      this.list = { ...this.list, loaded: true, error: info };
    }
    this.changed();
  }

  listed(workdir: string): ListedMigration | undefined {
    return this.list.migrations.find((m) => m.workdir === workdir);
  }

  // --- one migration -------------------------------------------------------------------------

  private attach(workdir: string): void {
    const view: MigrationView = {
      workdir,
      manifest: null,
      manifestError: null,
      events: [],
      progress: {},
      slotWaits: {},
      operation: null,
      malformed: [],
    };
    this.current = view;
    // The list also carries what only the helper can tell: a live operation and the KVM domain's state.
    void this.refreshList();
    this.unwatch.push(
      watchManifest(workdir, (r) => {
        if ("manifest" in r) {
          if (view.manifest) void this.refreshList(); // the helper's view (running, domain) may have changed too
          view.manifest = r.manifest;
          view.manifestError = null;
        } else if ("error" in r) {
          view.manifestError = r.error;
        } else {
          view.manifestError = {
            code: "WORKDIR_INVALID",
            message: `${workdir} has no manifest.json`,
            hint: "The workdir was removed or never initialized.",
          };
        }
        this.changed();
      }),
    );
    this.unwatch.push(
      watchEvents(
        workdir,
        (events, restarted) => {
          if (restarted) {
            view.events = [];
            view.progress = {};
            view.slotWaits = {};
          }
          this.addEvents(view, events);
        },
        (line) => {
          view.malformed = [...view.malformed.slice(-99), line];
          this.changed();
        },
      ),
    );
    this.unwatch.push(
      watchOperation(workdir, (record) => {
        if (view.operation?.exitCode === undefined && record?.exitCode !== undefined) void this.refreshList();
        const vm = view.manifest?.vm.name ?? workdir;
        this.notify([operationEndedNotice(vm, workdir, view.operation, record, view.manifest?.lastError ?? null)]);
        view.operation = record;
        this.changed();
      }),
    );
  }

  addEvents(view: MigrationView, events: V2kEvent[]): void {
    const progress = { ...view.progress };
    const waits = { ...view.slotWaits };
    for (const e of events) {
      if (e.type === "progress") {
        progress[e.disk] = e;
        delete waits[e.disk];
      }
      if (e.type === "log" && e.slot !== undefined && e.disk !== undefined) {
        if (e.slot === "waiting") waits[e.disk] = e.message;
        else delete waits[e.disk];
      }
      // A new round or a finished command ends the previous progress bars and waits.
      if (e.type === "round" || e.type === "result") {
        for (const k of Object.keys(progress)) delete progress[Number(k)];
        for (const k of Object.keys(waits)) delete waits[Number(k)];
      }
    }
    view.progress = progress;
    view.slotWaits = waits;
    view.events = [...view.events, ...events].slice(-MAX_EVENTS);
    this.changed();
  }

  private detach(): void {
    this.rootWatch?.close();
    this.rootWatch = null;
    for (const u of this.unwatch) u();
    this.unwatch = [];
    this.current = null;
  }

  /**
   * A long operation runs when operation.json has no exit code yet, or when the last list saw a
   * helper holding the workdir (started from a terminal, say) and nothing has ended since.
   */
  isRunning(view: MigrationView | null = this.current): boolean {
    if (!view) return false;
    if (view.operation) return view.operation.exitCode === undefined;
    return !!this.listed(view.workdir)?.running;
  }

  // --- actions ------------------------------------------------------------------------------

  /** The action being started or running attached, and the last action's error. */
  pending: { action: ActionId; cancel?: () => void } | null = null;
  actionError: ErrorInfo | null = null;

  clearActionError(): void {
    this.actionError = null;
    this.changed();
  }

  /**
   * Runs one action on the current migration. Long ones start detached (the page follows them via
   * the workdir); short ones run attached. Resolves when started (long) or finished (short); a
   * failure is both thrown (dialogs show it) and kept in actionError (the page shows it).
   */
  async perform(action: ActionId, command: string[], conn: api.VcenterConnection | undefined): Promise<void> {
    const view = this.current;
    if (!view?.manifest) throw new Error("no migration open");
    this.actionError = null;
    try {
      if (api.isLongAction(action)) {
        this.pending = { action };
        this.changed();
        await api.startLongStep({ workdir: view.workdir, runId: view.manifest.runId, command, ...(conn ? { conn } : {}) });
      } else {
        const run = api.runStep({ workdir: view.workdir, command, ...(conn ? { conn } : {}) });
        this.pending = { action, cancel: run.cancel };
        this.changed();
        await run.promise;
      }
    } catch (e) {
      const info = toHelperError(e).info;
      // a cancel the admin confirmed is not a failure: the timeline and the header say "cancelled"
      if (this.current === view && info.code !== "CANCELLED") this.actionError = info;
      throw e;
    } finally {
      this.pending = null;
      this.changed();
      void this.refreshList();
    }
  }

  async cancelRunning(): Promise<void> {
    const view = this.current;
    if (!view) return;
    if (this.pending?.cancel) this.pending.cancel();
    else await api.cancelOperation(view.workdir);
  }

  // --- notices (steps that ended) -----------------------------------------------------------

  notices: Notice[] = [];
  /** Every step noticed once, whether seen by the open migration's watch or by the list. */
  private readonly noticed = new Set<string>();

  private notify(found: (Notice | null)[]): void {
    const fresh = found.filter((n): n is Notice => n !== null && !this.noticed.has(n.key));
    if (fresh.length === 0) return;
    for (const n of fresh) this.noticed.add(n.key);
    this.notices = [...this.notices, ...fresh].slice(-5);
    setPageStatus(pageStatusOf(this.notices));
    this.changed();
  }

  dismissNotice(key: string): void {
    this.notices = this.notices.filter((n) => n.key !== key);
    setPageStatus(pageStatusOf(this.notices));
    this.changed();
  }

  // --- step options (not secret; recorded in the manifest, so every browser and the CLI see them) ------

  stepOptionsFor(workdir: string): StepOptionTexts {
    return (this.current?.workdir === workdir ? this.current.manifest?.stepOptions : undefined) ?? {};
  }

  /** Records the steps whose options changed, one helper call each; the manifest watch shows the result. */
  async setStepOptions(workdir: string, texts: StepOptionTexts): Promise<void> {
    const recorded = this.stepOptionsFor(workdir);
    for (const step of OPTION_STEPS) {
      const next = normalizeStepTexts(step, texts[step] ?? {});
      if (JSON.stringify(next) === JSON.stringify(normalizeStepTexts(step, recorded[step] ?? {}))) continue;
      await api.recordStepOptions({ workdir, step, texts: next }).promise;
    }
  }

  // --- credentials ---------------------------------------------------------------------------

  rememberConnection(conn: api.VcenterConnection): void {
    this.credentials.set(conn.url, conn);
  }

  connectionFor(manifest: Manifest): api.VcenterConnection | undefined {
    return this.credentials.get(manifest.vcenter.url);
  }

  dispose(): void {
    this.detach();
    this.listeners.clear();
  }
}
