// What every SOAP method handler receives, and the small helpers they share.
import { type MoRef } from "./codec/values";
import { faults } from "./faults";
import { type ObjectIndex } from "./objects/index";
import { type Session } from "./sessions";
import { type LabSoapService } from "./service";

export interface CallContext {
  svc: LabSoapService;
  session: Session | undefined;
  self: MoRef;
  index: ObjectIndex;
  ip: string;
  userAgent: string;
  signal: AbortSignal;
  setCookie(value: string): void;
}

export type Handler = (c: CallContext, args: Record<string, unknown>) => unknown;

export function requireSession(c: CallContext): Session {
  if (!c.session) throw faults.notAuthenticated(c.self);
  return c.session;
}

/** A session-scoped object's moref, in vCenter's "session[<key>]<uuid>" form. */
export function sessionMoref(s: Session): string {
  return `session[${s.key}]${crypto.randomUUID()}`;
}
