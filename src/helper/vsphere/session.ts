// Resolve vCenter access (flags, govc env, manifest), check TLS trust ourselves, then start the
// bridge. Commands call connectVsphere/withVsphere; cutover uses the same with the manifest's vcenter.
import { type VcenterRef } from "../../shared/manifest";
import { type z } from "zod";
import { resolveVcenterAccess, type VcenterAccess, type VcenterFlags } from "../config/vcenter-access";
import { verifyServerTrust, type ServerCertificate } from "../config/tls-trust";
import { VsphereBridge } from "./bridge";
import { type VsphereApi } from "./api";

export interface VsphereContext {
  env?: NodeJS.ProcessEnv;
  readStdin(): Promise<string>;
  signal?: AbortSignal;
}

export interface VsphereSession {
  /** The bridge for a real vCenter; steps see only the interface. */
  bridge: VsphereApi;
  access: VcenterAccess;
  certificate: ServerCertificate;
}

/** Known vCenter (from a manifest): URL, user, thumbprint and insecure come from there unless flags override. */
export async function connectVsphere(
  flags: VcenterFlags,
  ctx: VsphereContext,
  known?: z.infer<typeof VcenterRef>,
): Promise<VsphereSession> {
  const access = await resolveVcenterAccess(flags, { env: ctx.env ?? process.env, readStdin: ctx.readStdin }, known);
  const certificate = await verifyServerTrust(access.host, access.port, access.thumbprint, access.insecure);
  // with --insecure we still pin what we just saw, so the session cannot switch certificates midway
  const pinned: VcenterAccess = { ...access, thumbprint: access.thumbprint ?? certificate.thumbprint };
  const bridge = await VsphereBridge.connect(pinned, ctx.signal ? { signal: ctx.signal } : {});
  return { bridge, access, certificate };
}

export async function withVsphere<T>(
  flags: VcenterFlags,
  ctx: VsphereContext,
  known: z.infer<typeof VcenterRef> | undefined,
  fn: (s: VsphereSession) => Promise<T>,
): Promise<T> {
  const session = await connectVsphere(flags, ctx, known);
  try {
    return await fn(session);
  } finally {
    await session.bridge.close();
  }
}
