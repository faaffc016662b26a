// The conversion rehearsed before the source goes down: virt-v2v-in-place runs on throwaway overlays
// of the last synced copy while the VMware VM keeps running. A guest virt-v2v cannot convert stops the
// cutover with the source still up; a disk set without an operating system is known before the
// shutdown, so the conversion after the final round is skipped instead of costing downtime.
import { join } from "node:path";
import { rmSync, writeFileSync } from "node:fs";
import { type ConversionRehearsal } from "../../shared/manifest";
import { type Firmware } from "../../shared/firmware";
import { V2kError } from "../../shared/v2k-error";
import { type Workdir } from "../state/index";
import { locateVirtV2vInPlace, locateVirtioWin } from "./locate";
import { type ConvertPolicy, planConversion, v2vCommand } from "./plan";
import { createOverlays, overlayDir, removeOverlays } from "./overlays";
import { conversionInputXml } from "./input-xml";
import { noGuestFound, runV2v, stopLeftovers } from "./run-v2v";
import { say } from "../../shared/i18n/lang";

const STEP = "cutover.rehearse";
export const REHEARSAL_LOG = "convert-rehearsal.log";

export interface RehearsalOptions {
  policy: ConvertPolicy;
  accel: "kvm" | "qemu";
  /** The KVM domain's firmware (--firmware resolved); absent: the VMware VM's. */
  firmware?: Firmware;
  signal?: AbortSignal;
}

/** The last round whose copy is complete (the one a rehearsal looks at). */
function lastSyncedRound(wd: Workdir): number {
  return wd.manifest.rounds.filter((r) => r.status === "synced").reduce((n, r) => Math.max(n, r.n), -1);
}

/** A rehearsal of the copy as it stands now, when one is still valid for the round it looked at. */
export function currentRehearsal(wd: Workdir): ConversionRehearsal | undefined {
  const r = wd.manifest.conversionRehearsal;
  return r && r.afterRound === lastSyncedRound(wd) ? r : undefined;
}

/**
 * Rehearses the conversion the cutover will do; records the outcome. Throws CONVERSION_FAILED (the
 * source untouched) when virt-v2v fails for another reason than finding no operating system.
 */
export async function rehearseConversion(wd: Workdir, o: RehearsalOptions): Promise<ConversionRehearsal | undefined> {
  const binary = locateVirtV2vInPlace();
  const virtioWin = locateVirtioWin();
  const plan = planConversion(o.policy, wd.manifest.vm.isWindows, { virtV2vInPlace: binary, virtioWin });
  if (plan.tool === "none" || !binary) return undefined;
  const known = currentRehearsal(wd);
  if (known && known.state !== "failed") return known;

  wd.emitter.emit({
    type: "phase",
    step: STEP,
    phase: wd.manifest.phase,
    message: say(
      "conversion rehearsal on a throwaway copy while the VMware VM keeps running",
      "VMware VM이 계속 실행되는 동안 버릴 사본에서 변환 리허설",
    ),
  });
  const t0 = Date.now();
  const logPath = join(wd.path, REHEARSAL_LOG);
  rmSync(logPath, { force: true });
  await stopLeftovers(overlayDir(wd.path)); // a helper killed mid-rehearsal left virt-v2v running
  const overlays = await createOverlays(wd.path, wd.manifest, o.signal);
  const inputXml = join(overlayDir(wd.path), "input.xml");
  writeFileSync(inputXml, conversionInputXml(wd.manifest, overlays, o.firmware), { mode: 0o600 });
  const cmd = v2vCommand({ binary, inputXml, accel: o.accel, virtioWin: plan.virtio ? virtioWin : null, tmpDir: overlayDir(wd.path) });
  let state: ConversionRehearsal["state"] = "ok";
  let os: string | undefined;
  let failure: unknown;
  try {
    os = (await runV2v(cmd, logPath, o.signal)).os;
  } catch (e) {
    if (e instanceof V2kError && e.code === "CANCELLED") throw e;
    state = noGuestFound(logPath) ? "no-os" : "failed";
    failure = e;
  } finally {
    await stopLeftovers(overlayDir(wd.path)); // its NBD servers hold the targets' locks
    removeOverlays(wd.path); // the targets were only ever read
  }
  const record: ConversionRehearsal = {
    state,
    afterRound: lastSyncedRound(wd),
    at: new Date().toISOString(),
    durationMs: Date.now() - t0,
    logPath,
    ...(os ? { os } : {}),
  };
  await wd.update((m) => {
    m.conversionRehearsal = record;
  });
  const secs = (record.durationMs / 1000).toFixed(1);
  if (state === "failed") {
    const why = failure instanceof V2kError ? failure.message : String(failure);
    throw new V2kError(
      "CONVERSION_FAILED",
      `the conversion rehearsal failed (${why}); the VMware VM was not shut down`,
      `Read ${logPath}, fix the cause and run cutover again, or cut over with --convert none (the disks as copied).`,
      failure instanceof V2kError && failure.detail ? { detail: failure.detail } : {},
    );
  }
  wd.emitter.log(
    "info",
    STEP,
    state === "ok"
      ? say(
          `conversion rehearsed in ${secs} s${os ? ` (${os})` : ""}: the cutover converts after the final round`,
          `변환 리허설 ${secs}초${os ? `(${os})` : ""}: 컷오버는 마지막 라운드 뒤에 변환합니다`,
        )
      : say(
          `conversion rehearsed in ${secs} s: no operating system virt-v2v can convert, the cutover leaves the disks as copied`,
          `변환 리허설 ${secs}초: virt-v2v가 변환할 운영 체제가 없어 컷오버는 디스크를 복사된 그대로 둡니다`,
        ),
  );
  return record;
}
