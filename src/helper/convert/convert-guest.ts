// The conversion step: plan, overlays, virt-v2v-in-place, record what changed, commit. Each state is
// in the manifest before the next begins: a run killed after "converted" commits the kept overlays
// on re-run instead of converting twice; a failure before it leaves the copied disks untouched.
import { join } from "node:path";
import { type ConversionRecord } from "../../shared/manifest";
import { type Firmware } from "../../shared/firmware";
import { type Workdir } from "../state/index";
import { locateVirtV2vInPlace, locateVirtioWin } from "./locate";
import { type ConvertPolicy, planConversion, v2vCommand } from "./plan";
import { changedRanges, commitOverlay, createOverlays, overlayDir, overlayPath, removeOverlays } from "./overlays";
import { conversionInputXml } from "./input-xml";
import { noGuestFound, runV2v, stopLeftovers } from "./run-v2v";
import { writeFileSync } from "node:fs";
import { say } from "../../shared/i18n/lang";

const STEP = "cutover.convert";
export const CONVERT_LOG = "convert.log";

export interface ConvertStepOptions {
  policy: ConvertPolicy;
  /** Acceleration libguestfs' appliance gets: the same decision as the domain type. */
  accel: "kvm" | "qemu";
  /** The KVM domain's firmware (--firmware resolved); absent: the VMware VM's. */
  firmware?: Firmware;
  signal?: AbortSignal;
}

async function setRecord(wd: Workdir, mutate: (c: ConversionRecord) => void): Promise<ConversionRecord> {
  await wd.update((m) => mutate(m.cutover!.conversion!));
  return wd.manifest.cutover!.conversion!;
}

export async function convertStep(wd: Workdir, o: ConvertStepOptions): Promise<ConversionRecord> {
  const prev = wd.manifest.cutover?.conversion;
  if (prev?.state === "converted") return await commitStep(wd, o.signal);
  const m = wd.manifest;
  const binary = locateVirtV2vInPlace();
  const virtioWin = locateVirtioWin();
  const plan = planConversion(o.policy, m.vm.isWindows, { virtV2vInPlace: binary, virtioWin });
  const startedAt = new Date().toISOString();
  await wd.update((mm) => {
    mm.cutover!.conversion = { policy: o.policy, tool: plan.tool, reason: plan.reason, virtio: plan.virtio, state: "running", startedAt };
  });
  if (plan.warning) await wd.warn(STEP, plan.warning.code, plan.warning.message);
  const rehearsed = wd.manifest.conversionRehearsal;
  if (o.policy === "auto" && plan.tool !== "none" && rehearsed?.state === "no-os") {
    // known before the shutdown: virt-v2v would only search the disks again, in the downtime
    await wd.warn(
      STEP,
      "CONVERT_NO_OS",
      say(
        `the conversion rehearsal found no operating system virt-v2v can convert: the disks are left as copied (log: ${rehearsed.logPath})`,
        `변환 리허설에서 virt-v2v가 변환할 운영 체제를 찾지 못해 디스크를 복사된 그대로 둡니다(로그: ${rehearsed.logPath})`,
      ),
    );
    return await setRecord(wd, (c) => {
      c.state = "skipped";
      c.reason = "the rehearsal before the shutdown found no operating system to convert";
      c.logPath = rehearsed.logPath;
      c.finishedAt = new Date().toISOString();
      c.durationMs = 0;
    });
  }
  if (plan.tool === "none" || !binary) {
    wd.emitter.log("info", STEP, say(`guest not converted: ${plan.reason}`, `게스트를 변환하지 않음: ${plan.reason}`));
    return await setRecord(wd, (c) => {
      c.state = "skipped";
      c.finishedAt = new Date().toISOString();
      c.durationMs = 0;
    });
  }
  wd.emitter.emit({
    type: "phase",
    step: STEP,
    phase: wd.manifest.phase,
    message: say(`guest conversion with virt-v2v-in-place (${plan.reason})`, `virt-v2v-in-place로 게스트 변환(${plan.reason})`),
  });
  await stopLeftovers(overlayDir(wd.path)); // a helper killed mid-conversion left virt-v2v running
  const overlays = await createOverlays(wd.path, m, o.signal);
  const inputXml = join(wd.path, "convert", "input.xml");
  writeFileSync(inputXml, conversionInputXml(m, overlays, o.firmware), { mode: 0o600 });
  const logPath = join(wd.path, CONVERT_LOG);
  const cmd = v2vCommand({ binary, inputXml, accel: o.accel, virtioWin: plan.virtio ? virtioWin : null, tmpDir: join(wd.path, "convert") });
  let facts;
  try {
    facts = await runV2v(cmd, logPath, o.signal);
  } catch (e) {
    removeOverlays(wd.path); // the copied disks were never written: they stay exactly as copied
    const skip = o.policy === "auto" && noGuestFound(logPath);
    await setRecord(wd, (c) => {
      c.logPath = logPath;
      c.finishedAt = new Date().toISOString();
      if (skip) c.state = "skipped";
    });
    if (!skip) throw e;
    await wd.warn(
      STEP,
      "CONVERT_NO_OS",
      say(
        `virt-v2v found no operating system it can convert on the disks: they are left as copied (log: ${logPath})`,
        `virt-v2v가 디스크에서 변환할 운영 체제를 찾지 못해 복사된 그대로 둡니다(로그: ${logPath})`,
      ),
    );
    return wd.manifest.cutover!.conversion!;
  }
  const ranges: Record<string, [number, number][]> = {};
  for (const ov of overlays) ranges[String(ov.diskKey)] = await changedRanges(ov, o.signal);
  await setRecord(wd, (c) => {
    c.state = "converted";
    c.logPath = logPath;
    c.virtio = facts.virtioDrivers ?? plan.virtio;
    if (facts.os) c.os = facts.os;
    c.changedRanges = ranges;
  });
  return await commitStep(wd, o.signal);
}

async function commitStep(wd: Workdir, signal?: AbortSignal): Promise<ConversionRecord> {
  for (const d of wd.manifest.disks) await commitOverlay({ diskKey: d.key, path: overlayPath(wd.path, d) }, signal);
  removeOverlays(wd.path);
  const c = await setRecord(wd, (r) => {
    r.state = "committed";
    r.finishedAt = new Date().toISOString();
    r.durationMs = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
  });
  const changed = Object.values(c.changedRanges ?? {})
    .flat()
    .reduce((n, r) => n + r[1], 0);
  const secs = ((c.durationMs ?? 0) / 1000).toFixed(1);
  const os = c.os ? ` (${c.os})` : "";
  wd.emitter.log(
    "info",
    STEP,
    say(
      `guest converted in ${secs} s${os}: virtio drivers ${c.virtio ? "installed" : "not installed"}, ${changed} bytes changed; log: ${c.logPath}`,
      `게스트 변환 ${secs}초${os}: virtio 드라이버 ${c.virtio ? "설치됨" : "설치 안 됨"}, ${changed}바이트 바뀜. 로그: ${c.logPath}`,
    ),
  );
  return c;
}
