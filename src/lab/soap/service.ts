// The vSphere SOAP endpoint of the lab: one request envelope in, one response (or fault) out.
// Owns sessions, tasks and the change notifier that wakes WaitForUpdates.
import { LabFault, type LabModelApi } from "../model/types";
import { type DataObject, data, mor } from "./codec/values";
import { decodeParams, decodeValue } from "./codec/decode";
import { faultEnvelope, requestMethod, responseEnvelope } from "./codec/envelope";
import { SoapFault, faults, toSoapFault } from "./faults";
import { type CallContext, methods } from "./methods";
import { type ObjectIndex, buildIndex } from "./objects/index";
import { SERVICE } from "./objects/ids";
import { isManagedSubtype, methodDef } from "./schema/schema";
import { type Session, SessionStore, sessionKeyFromCookie } from "./sessions";
import { TaskRegistry } from "./tasks";
import { type MoRef } from "./codec/values";

/** Methods a client may call before Login. */
const PUBLIC_METHODS = new Set(["RetrieveServiceContent", "Login", "CurrentTime", "SessionIsActive"]);

export const API_VERSION = "6.7.3";

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
  readonly about: DataObject;
  readonly serviceContent: DataObject;

  constructor(
    readonly model: LabModelApi,
    credentials: { username: string; password: string },
    instanceUuid: string,
  ) {
    this.sessions = new SessionStore(credentials);
    this.tasks = new TaskRegistry(() => this.changed.notify());
    this.about = data("AboutInfo", {
      name: "VMware vCenter Server", fullName: "VMware vCenter Server 6.7.0 build-14367737", vendor: "VMware, Inc.", version: "6.7.0",
      build: "14367737", localeVersion: "INTL", localeBuild: "000", osType: "linux-x64", productLineId: "vpx", apiType: "VirtualCenter",
      apiVersion: API_VERSION, instanceUuid, licenseProductName: "VMware VirtualCenter Server", licenseProductVersion: "6.0",
    });
    this.serviceContent = data("ServiceContent", {
      rootFolder: mor("Folder", SERVICE.rootFolder),
      propertyCollector: mor("PropertyCollector", SERVICE.propertyCollector),
      viewManager: mor("ViewManager", SERVICE.viewManager),
      about: this.about,
      sessionManager: mor("SessionManager", SERVICE.sessionManager),
      searchIndex: mor("SearchIndex", SERVICE.searchIndex),
    });
  }

  hostAbout(h: { version: string; build: string }): DataObject {
    return data("AboutInfo", {
      name: "VMware ESXi", fullName: `VMware ESXi ${h.version} build-${h.build}`, vendor: "VMware, Inc.", version: h.version, build: h.build,
      localeVersion: "INTL", localeBuild: "000", osType: "vmnix-x86", productLineId: "embeddedEsx", apiType: "HostAgent", apiVersion: API_VERSION,
      licenseProductName: "VMware ESX Server", licenseProductVersion: "6.0",
    });
  }

  buildIndex(session: Session | undefined): ObjectIndex {
    return buildIndex({ model: this.model, session, tasks: this.tasks, about: this.about, hostAbout: (h) => this.hostAbout(h), serviceContent: this.serviceContent });
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
      if (!session && !PUBLIC_METHODS.has(method.name)) throw faults.notAuthenticated(self);
      if (session) {
        session.callCount++;
        session.lastActiveTime = new Date();
      }
      const index = this.buildIndex(session);
      if (!index.get(self)) throw faults.managedObjectNotFound(self);
      const { args } = decodeParams(method, def.params);
      const ctx: CallContext = {
        svc: this, session, self, index, ip: meta.ip, userAgent: meta.userAgent, signal: meta.signal,
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
        process.stderr.write(`lab soap: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
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
