// --max-parallel-disks and --bwlimit, shared by `sync` and `run`: one migration's view of the
// host-wide copy limits (defaults from the host config file).
import { z } from "zod";
import { HOST_CONFIG_FILE, HOST_LIMIT_DEFAULTS, hostCopyLimits } from "../config/host-config";
import { type CopyLimits } from "../sync/copy-slots";

export const copyLimitOptions = {
  "max-parallel-disks": {
    type: "string",
    valueName: "N",
    description: `disk copies at once on this host, all migrations together (default: max-parallel-disks= in ${HOST_CONFIG_FILE}, else ${HOST_LIMIT_DEFAULTS.maxParallelDisks})`,
  },
  bwlimit: {
    type: "string",
    valueName: "MB/s",
    description: `this migration's read bandwidth, all its disks together (default unlimited; bwlimit= in the host config caps all migrations together)`,
  },
} as const;

export const copyLimitSchemaFields = {
  "max-parallel-disks": z.coerce.number().int().min(1).max(256).optional(),
  bwlimit: z.coerce.number().positive().optional(),
};

export function copyLimitsOf(o: { "max-parallel-disks"?: number | undefined; bwlimit?: number | undefined }): CopyLimits {
  const host = hostCopyLimits();
  return {
    ...host,
    ...(o["max-parallel-disks"] !== undefined ? { maxParallelDisks: o["max-parallel-disks"] } : {}),
    migrationBwlimitMBps: o.bwlimit ?? 0,
  };
}
