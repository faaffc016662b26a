// Guest conversion: the one step between the final sync and define where the target disks may be
// changed (virtio driver injection for Windows, initramfs rebuild for Linux). It must never run
// between incremental rounds: CBT does not see our writes. Not implemented yet: a named no-op.
import { type Manifest } from "../../shared/manifest";
import { type Emitter } from "../../kit/emitter";

export interface ConversionResult {
  /** True when the target disks were modified (verify then compares against a converted image). */
  changedDisks: boolean;
  notes: string[];
}

export interface ConversionContext {
  manifest: Manifest;
  workdir: string;
  emitter: Emitter;
  signal?: AbortSignal;
}

export async function convertGuest(ctx: ConversionContext): Promise<ConversionResult> {
  const what = ctx.manifest.vm.isWindows ? "virtio driver injection" : "initramfs rebuild with virtio modules";
  const note = `guest conversion (${what}) is not part of this version: the disks are left as copied`;
  ctx.emitter.log("info", "cutover.convert", note);
  return { changedDisks: false, notes: [note] };
}
