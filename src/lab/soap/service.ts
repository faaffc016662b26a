// The vSphere SOAP endpoint of the lab: one request envelope in, one response (or fault) out.
// Owns sessions, tasks and the change notifier that wakes WaitForUpdates.
import { LabFault, type LabModelApi } from "../model/types";
import { type DataObject, data, mor } from "./codec/values";
import { decodeParams, decodeValue } from "./codec/decode";
import { faultEnvelope, requestMethod, responseEnvelope } from "./codec/envelope";
import { SoapFault, faults, toSoapFault } from "./faults";
import { type CallContext } from "./call";
import { methods } from "./methods";
import { type ObjectIndex, buildIndex } from "./objects/index";
import { SERVICE } from "./objects/ids";
import { isManagedSubtype, methodDef } from "./schema/schema";
import { type Session, SessionStore, sessionKeyFromCookie } from "./sessions";
import { TaskRegistry } from "./tasks";
import { type MoRef } from "./codec/values";
import { EventLog } from "./events";
import { type VersionProfile, versionProfile } from "./versions";

/** Methods a client may call before Login. */
const PUBLIC_METHODS = new Set(["RetrieveServiceContent", "Login", "CurrentTime", "SessionIsActive"]);

/** Reading SessionManager.currentSession needs no session on vCenter: it is unset without one, which
 * is how clients (govc's session cache) tell a stale cookie from a broken server. */
function sessionProbe(method: string, args: Record<string, unknown>): boolean {
  if (method !== "RetrieveProperties" && method !== "RetrievePropertiesEx") return false;
  const specs = (args["specSet"] as DataObject[] | undefined) ?? [];
  return (
    specs.length > 0 &&
    specs.every((spec) => {
      const objs = (spec["objectSet"] as DataObject[] | undefined) ?? [];
      const props = (spec["propSet"] as DataObject[] | undefined) ?? [];
      return (
        objs.every((o) => (o["obj"] as MoRef | undefined)?.type === "SessionManager" && o["selectSet"] === undefined) &&
        props.every(
          (p) =>
            p["type"] === "SessionManager" &&
            p["all"] !== true &&
            ((p["pathSet"] as string[] | undefined) ?? []).every((x) => x === "currentSession"),
        )
      );
    })
  );
}

/** Wakes waiters when the lab changes (tasks, control API); waiters also re-check on a timer. */
export class ChangeNotifier {
  private readonly waiters = new Set<() => void>();

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

export interface SoapRequestMeta {
  cookie: string | undefined;
  ip: string;
  userAgent: string;
  /** Aborted when the client goes away (ends WaitForUpdates). */
  signal: AbortSignal;
}

export interface SoapResponse {
  status: number;
  body: string;
  setCookie?: string;
}

export class LabSoapService {
  readonly sessions: SessionStore;
  readonly changed = new ChangeNotifier();
  readonly tasks: TaskRegistry;
  readonly events: EventLog;
  readonly about: DataObject;
  readonly serviceContent: DataObject;

  constructor(
    readonly model: LabModelApi,
    credentials: { username: string; password: string },
    instanceUuid: string,
    readonly profile: VersionProfile = versionProfile(undefined),
  ) {
    this.sessions = new SessionStore(credentials);
    this.tasks = new TaskRegistry(() => this.changed.notify());
    this.events = new EventLog(() => this.changed.notify());
    const vc = profile.vcenter;
    this.about = data("AboutInfo", {
      name: "VMware vCenter Server",
      fullName: `VMware vCenter Server ${vc.version} build-${vc.build}`,
      vendor: "VMware, Inc.",
      version: vc.version,
      build: vc.build,
      localeVersion: "INTL",
      localeBuild: "000",
      osType: "linux-x64",
      productLineId: "vpx",
      apiType: "VirtualCenter",
      apiVersion: vc.apiVersion,
      instanceUuid,
      licenseProductName: "VMware VirtualCenter Server",
      licenseProductVersion: vc.version.replace(/\.\d+$/, ""),
    });
    this.serviceContent = data("ServiceContent", {
      rootFolder: mor("Folder", SERVICE.rootFolder),
      propertyCollector: mor("PropertyCollector", SERVICE.propertyCollector),
      viewManager: mor("ViewManager", SERVICE.viewManager),
      about: this.about,
      sessionManager: mor("SessionManager", SERVICE.sessionManager),
      eventManager: mor("EventManager", SERVICE.eventManager),
      taskManager: mor("TaskManager", SERVICE.taskManager),
      searchIndex: mor("SearchIndex", SERVICE.searchIndex),
    });
  }

  /** The product every host reports: the profile's ESXi, which its vCenter can manage. */
  hostAbout(): DataObject {
    const esx = this.profile.esxi;
    return data("AboutInfo", {
      name: "VMware ESXi",
      fullName: `VMware ESXi ${esx.version} build-${esx.build}`,
      vendor: "VMware, Inc.",
      version: esx.version,
      build: esx.build,
      localeVersion: "INTL",
      localeBuild: "000",
      osType: "vmnix-x86",
      productLineId: "embeddedEsx",
      apiType: "HostAgent",
      apiVersion: this.profile.vcenter.apiVersion,
      licenseProductName: "VMware ESX Server",
      licenseProductVersion: esx.version.replace(/\.\d+$/, ""),
    });
  }

  buildIndex(session: Session | undefined): ObjectIndex {
    return buildIndex({
      model: this.model,
      session,
      tasks: this.tasks,
      events: this.events,
      about: this.about,
      hostAbout: () => this.hostAbout(),
      serviceContent: this.serviceContent,
      sessions: () => this.sessions.all(),
    });
  }

  /** The session a request's cookie names (undefined when absent or expired). */
  sessionFor(cookie: string | undefined): Session | undefined {
    return this.sessions.find(sessionKeyFromCookie(cookie), this.model.faults().sessionsExpiredBefore);
  }

  async handle(xml: string, meta: SoapRequestMeta): Promise<SoapResponse> {
    let setCookie: string | undefined;
    try {
      const method = requestMethod(xml);
      const thisNode = method.children.find((c) => c.name === "_this");
      const self = thisNode ? (decodeValue(thisNode, { kind: "mor", name: "ManagedObject", array: false }) as MoRef) : undefined;
      if (!self) throw faults.invalidRequest(`${method.name}: missing _this`);
      const def = methodDef(method.name);
      const handler = methods[method.name];
      if (!def || !handler || !isManagedSubtype(self.type, def.on)) throw faults.methodNotFound(self, method.name);
      const session = this.sessionFor(meta.cookie);
      const { args } = decodeParams(method, def.params);
      if (!session && !PUBLIC_METHODS.has(method.name) && !sessionProbe(method.name, args)) throw faults.notAuthenticated(self);
      if (session) {
        session.callCount++;
        session.lastActiveTime = new Date();
      }
      const index = this.buildIndex(session);
      if (!index.get(self)) throw faults.managedObjectNotFound(self);
      const ctx: CallContext = {
        svc: this,
        session,
        self,
        index,
        ip: meta.ip,
        userAgent: meta.userAgent,
        signal: meta.signal,
        setCookie: (v) => {
          setCookie = v;
        },
      };
      const result = await handler(ctx, args);
      this.changed.notify();
      const body = responseEnvelope(method.name, result, def.result);
      return setCookie === undefined ? { status: 200, body } : { status: 200, body, setCookie };
    } catch (err) {
      const f = toSoapFault(err);
      if (!(err instanceof SoapFault) && !(err instanceof LabFault)) {
        // A bug in the lab, not a client error: keep the detail on the server's stderr.
        process.stderr.write(`lab soap: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      }
      return { status: 500, body: faultEnvelope(f) };
    }
  }

  /** Ends background work (tasks) before the model closes. */
  async close(): Promise<void> {
    for (const s of this.sessions.all()) this.sessions.remove(s.key);
    await this.tasks.drain();
  }
}

export { faults };
