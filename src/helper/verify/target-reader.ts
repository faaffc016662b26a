// Read-only view of a target disk through qemu-nbd (qcow2, raw, block or rbd), so verify reads
// exactly what the KVM guest will see, through the same NBD client as the copy.
import { type Disk, type Manifest } from "../../shared/manifest";
import { ManagedDaemon, NbdSource, PrivateDir, qemuFilename, type QemuTargetSpec } from "../endpoints/index";
import { rbdTargetSpec } from "../storage/rbd/index";

export function targetSpecOf(d: Disk, m: Pick<Manifest, "target">): QemuTargetSpec {
  if (d.target.mode === "block") return { kind: "block", device: d.target.path };
  if (d.target.mode === "rbd") return rbdTargetSpec(d, m);
  return { kind: "file", path: d.target.path, format: d.target.format };
}

export interface ReadOnlyTarget {
  source: NbdSource;
  close(): Promise<void>;
}

export async function openTargetReadOnly(d: Disk, m: Pick<Manifest, "target">): Promise<ReadOnlyTarget> {
  const spec = targetSpecOf(d, m);
  const dir = new PrivateDir("v2k-verify-");
  let daemon: ManagedDaemon | undefined;
  try {
    const format = spec.kind === "file" ? spec.format : "raw";
    daemon = await ManagedDaemon.start({
      name: "qemu-nbd",
      file: "qemu-nbd",
      args: [
        `--socket=${dir.file("nbd.sock")}`,
        `--pid-file=${dir.file("qemu-nbd.pid")}`,
        "--read-only",
        `--format=${format}`,
        "--cache=writeback",
        "--shared=4",
        "--persistent",
        qemuFilename(spec),
      ],
      pidFile: dir.file("qemu-nbd.pid"),
      readyTimeoutMs: 30_000,
    });
    const source = await NbdSource.connect(
      { socket: dir.file("nbd.sock") },
      { label: `qemu-nbd (read-only) ${qemuFilename(spec)}`, disk: `disk ${d.key}` },
    );
    const started = daemon;
    return {
      source,
      async close() {
        try {
          await source.close();
        } finally {
          await started.stop();
          dir.remove();
        }
      },
    };
  } catch (e) {
    await daemon?.stop();
    dir.remove();
    throw e;
  }
}
