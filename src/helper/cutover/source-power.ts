// The VMware side of cutover: bring the source down as asked and prove it is off. The KVM copy is
// never defined or started while the source runs: every caller goes through requireSourceOff().
import { V2kError } from "../../shared/v2k-error";
import { type VsphereApi } from "../vsphere/api";

export type ShutdownMode = "guest" | "poweroff" | "already-off";

/** SOURCE_RUNNING unless the VMware VM is powered off right now. */
export async function requireSourceOff(bridge: VsphereApi, moref: string, why: string): Promise<void> {
  const s = await bridge.vmState(moref);
  if (s.powerState !== "poweredOff") {
    throw new V2kError(
      "SOURCE_RUNNING",
      `the VMware VM is ${s.powerState}: refusing to ${why}`,
      "Shut the source down first (cutover --shutdown guest or poweroff); the KVM copy never runs beside it.",
    );
  }
}

export interface ShutdownOptions {
  mode: ShutdownMode;
  timeoutSec: number;
  pollMs?: number;
  signal?: AbortSignal;
  /** Called once when the guest shutdown or power-off was requested (for events). */
  onRequested?: (what: "power-off" | "guest shutdown") => void;
}

/** Performs the shutdown the mode asks for and returns once the source is powered off. */
export async function shutdownSource(
  bridge: VsphereApi,
  moref: string,
  o: ShutdownOptions,
): Promise<{ action: "none" | "guest-shutdown" | "power-off" }> {
  const state = await bridge.vmState(moref);
  if (state.powerState === "poweredOff") return { action: "none" };
  if (o.mode === "already-off") {
    throw new V2kError(
      "SOURCE_RUNNING",
      `--shutdown already-off was given but the VMware VM is ${state.powerState}`,
      "Shut the guest down yourself, or use --shutdown guest (VMware Tools) or --shutdown poweroff.",
    );
  }
  if (state.powerState === "suspended") {
    throw new V2kError(
      "SOURCE_RUNNING",
      "the VMware VM is suspended: its memory state would be lost",
      "Resume and shut the guest down cleanly, or power it off in vSphere knowingly, then re-run cutover.",
    );
  }
  if (o.mode === "poweroff") {
    o.onRequested?.("power-off");
    await bridge.powerOff(moref, o.timeoutSec);
    await requireSourceOff(bridge, moref, "continue after power-off");
    return { action: "power-off" };
  }
  o.onRequested?.("guest shutdown");
  await bridge.shutdownGuest(moref);
  const deadline = Date.now() + o.timeoutSec * 1000;
  const poll = o.pollMs ?? 1000;
  for (;;) {
    if (o.signal?.aborted)
      throw o.signal.reason instanceof Error
        ? o.signal.reason
        : new V2kError("CANCELLED", "cutover interrupted", "Re-run cutover; it continues.");
    const s = await bridge.vmState(moref);
    if (s.powerState === "poweredOff") return { action: "guest-shutdown" };
    if (Date.now() >= deadline) {
      throw new V2kError(
        "SHUTDOWN_TIMEOUT",
        `the guest did not shut down within ${o.timeoutSec} s (still ${s.powerState})`,
        "Check the guest console; re-run with a longer --shutdown-timeout, or with --shutdown poweroff to force it.",
      );
    }
    await new Promise((r) => setTimeout(r, Math.max(50, Math.min(poll, deadline - Date.now()))));
  }
}
