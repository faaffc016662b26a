// Guest conversion: the one step between the final sync and define where the target disks may be
// changed (initramfs rebuilt with virtio drivers and VMware Tools removed for Linux, virtio drivers
// injected for Windows). It must never run between incremental rounds: CBT does not see our writes.
import { type ConversionRecord } from "../../shared/manifest";
import { type Firmware } from "../../shared/firmware";
import { type Workdir } from "../state/index";
import { type ConvertPolicy } from "../convert/plan";
import { convertStep } from "../convert/convert-guest";

export interface ConversionContext {
  wd: Workdir;
  policy: ConvertPolicy;
  accel: "kvm" | "qemu";
  firmware: Firmware;
  signal?: AbortSignal;
}

export async function convertGuest({ wd, ...o }: ConversionContext): Promise<ConversionRecord> {
  return await convertStep(wd, o);
}
