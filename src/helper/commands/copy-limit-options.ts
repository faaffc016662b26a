// --max-parallel-disks and --bwlimit (declared in src/shared/requests), shared by `sync` and `run`:
// one migration's view of the host-wide copy limits (defaults from the host config file).
import { hostCopyLimits } from "../config/host-config";
import { type CopyLimits } from "../sync/copy-slots";

export function copyLimitsOf(o: { "max-parallel-disks"?: number | undefined; bwlimit?: number | undefined }): CopyLimits {
  const host = hostCopyLimits();
  return {
    ...host,
    ...(o["max-parallel-disks"] !== undefined ? { maxParallelDisks: o["max-parallel-disks"] } : {}),
    migrationBwlimitMBps: o.bwlimit ?? 0,
  };
}
