// vSphere sessions: Login issues a vmware_soap_session cookie; every later call presents it.
// Each session owns its property filters, container views and paged results, as on vCenter.
import { randomUUID, timingSafeEqual, createHash } from "node:crypto";
import { type DataObject } from "./codec/values";

/** vCenter's default idle timeout for API sessions. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

export interface Session {
  key: string;
  userName: string;
  loginTime: Date;
  lastActiveTime: Date;
  ipAddress: string;
  userAgent: string;
  callCount: number;
  /** PropertyCollector moref -> its filters and update versions: the shared one, and private ones
   * (CreatePropertyCollector), which vCenter scopes to the session that created them. */
  collectors: Map<string, CollectorState>;
  /** ContainerView / ListView moref -> definition */
  views: Map<string, ViewDef>;
  /** EventHistoryCollector / TaskHistoryCollector moref -> state */
  histories: Map<string, HistoryCollectorState>;
  /** RetrievePropertiesEx continuation token -> remaining objects */
  pages: Map<string, { objects: DataObject[]; size: number }>;
}

export interface CollectorState {
  moref: string;
  /** PropertyFilter moref -> filter state */
  filters: Map<string, FilterState>;
  /** Last UpdateSet version handed out (WaitForUpdates). */
  updateVersion: number;
  /** Filter states as reported at recent versions (version -> filter -> object -> path -> value). */
  updateHistory: Map<string, Map<string, Map<string, Map<string, string>>>>;
  /** Aborts pending WaitForUpdates calls on this collector (CancelWaitForUpdates, Logout). */
  waiters: Set<AbortController>;
}

export interface FilterState {
  moref: string;
  collector: string;
  spec: DataObject;
  partialUpdates: boolean;
}

export interface ContainerViewDef {
  kind: "container";
  moref: string;
  container: string;
  types: string[];
  recursive: boolean;
}

export interface ListViewDef {
  kind: "list";
  moref: string;
  objects: string[];
}

export type ViewDef = ContainerViewDef | ListViewDef;

/** A history collector: a filter over the event or task log, a page size, and a read position. */
export interface HistoryCollectorState {
  moref: string;
  kind: "event" | "task";
  filter: DataObject;
  pageSize: number;
  /** Read position for ReadNext/ReadPrevious: index into the filtered list (oldest first). */
  cursor: number | undefined;
}

/** The shared PropertyCollector of ServiceContent. */
export const DEFAULT_COLLECTOR = "propertyCollector";

export function newCollector(moref: string): CollectorState {
  return { moref, filters: new Map(), updateVersion: 0, updateHistory: new Map(), waiters: new Set() };
}

/** Every pending WaitForUpdates of a session, whatever collector it waits on. */
export function sessionWaiters(s: Session): AbortController[] {
  return [...s.collectors.values()].flatMap((c) => [...c.waiters]);
}

function sameSecret(a: string, b: string): boolean {
  // Compare digests so that length differences do not leak through timing either.
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** The session key from a Cookie header; pyVmomi echoes the whole Set-Cookie value (with "; HttpOnly"). */
export function sessionKeyFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== "vmware_soap_session") continue;
    return part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
  }
  return undefined;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly credentials: { username: string; password: string }) {}

  checkCredentials(userName: string, password: string): boolean {
    return sameSecret(userName, this.credentials.username) && sameSecret(password, this.credentials.password);
  }

  create(userName: string, ipAddress: string, userAgent: string): Session {
    this.pruneIdle();
    const now = new Date();
    const s: Session = {
      key: randomUUID(),
      userName,
      loginTime: now,
      lastActiveTime: now,
      ipAddress,
      userAgent,
      callCount: 0,
      collectors: new Map([[DEFAULT_COLLECTOR, newCollector(DEFAULT_COLLECTOR)]]),
      views: new Map(),
      histories: new Map(),
      pages: new Map(),
    };
    this.sessions.set(s.key, s);
    return s;
  }

  /** The live session for a key; sessions idle too long or older than `expiredBefore` (an injected
   * expiry) are dropped, as vCenter drops idle sessions after 30 minutes. */
  find(key: string | undefined, expiredBefore: string | null): Session | undefined {
    if (!key) return undefined;
    const s = this.sessions.get(key);
    if (!s) return undefined;
    const injected = expiredBefore !== null && s.loginTime.getTime() < Date.parse(expiredBefore);
    if (injected || Date.now() - s.lastActiveTime.getTime() > SESSION_IDLE_MS) {
      this.remove(s.key);
      return undefined;
    }
    return s;
  }

  /** Drops idle sessions so that clients that never log out cannot grow the table without bound. */
  private pruneIdle(): void {
    const now = Date.now();
    for (const s of this.sessions.values()) {
      if (now - s.lastActiveTime.getTime() > SESSION_IDLE_MS && sessionWaiters(s).length === 0) this.remove(s.key);
    }
  }

  remove(key: string): void {
    const s = this.sessions.get(key);
    if (!s) return;
    for (const w of sessionWaiters(s)) w.abort();
    this.sessions.delete(key);
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }
}
