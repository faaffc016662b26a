// What run checks between the cutover's define and the start, while nothing runs on the target disks and the
// VMware VM is off: the data (quick or full, against the frozen source) or an isolated boot on throw-away
// overlays, as `verify --mode boot` does it. Either way the result is recorded and a failure stops the start.
import { type Workdir } from "../state/index";
import { type Virsh } from "../libvirt/virsh";
import { type VsphereSession } from "../vsphere/session";
import { resolveDomainPolicy, savedDomainOptions } from "../cutover/domain-config";
import { frozenSourceSpecs } from "../verify/source";
import { verifyBoot, verifyData, type VerifyResult } from "../verify/verify";

export type CheckBeforeStart = "none" | "quick" | "full" | "boot";

export interface CheckBeforeStartOptions {
  mode: CheckBeforeStart;
  /** Blocks per disk of a quick check. */
  samples: number;
  boot: { marker: string; timeoutSec: number; agent: boolean };
  signal: AbortSignal;
}

export async function checkBeforeStart(
  wd: Workdir,
  o: CheckBeforeStartOptions,
  session: VsphereSession,
  virsh: Virsh,
): Promise<VerifyResult | undefined> {
  if (o.mode === "none") return undefined;
  if (o.mode === "boot") {
    // the domain as the cutover defined it (its saved options), started isolated and without network
    const policy = await resolveDomainPolicy(wd.manifest, savedDomainOptions(wd.path), virsh);
    return verifyBoot(wd, policy, virsh, { ...o.boot, signal: o.signal });
  }
  return verifyData(wd, { mode: o.mode, samples: o.samples, blockSize: 1 << 20, signal: o.signal }, await frozenSourceSpecs(wd, session));
}
