// The host config file: key=value lines and # comments, in /etc/ablestack-v2k/ablestack-v2k.conf
// ($ABLESTACK_V2K_CONFIG points elsewhere). It holds what is the host's to decide, not one run's:
// the network default for cutover and the limits every migration on the host shares.
import { existsSync, readFileSync } from "node:fs";
import { V2kError } from "../../shared/v2k-error";
import { HOST_CONFIG_FILE, HOST_LIMIT_DEFAULTS } from "../../shared/host-limits";

export { HOST_CONFIG_FILE, HOST_LIMIT_DEFAULTS };

export function readHostConfig(env: NodeJS.ProcessEnv = process.env): { path: string; values: Map<string, string> } {
  const path = env["ABLESTACK_V2K_CONFIG"] || HOST_CONFIG_FILE;
  const values = new Map<string, string>();
  if (!existsSync(path)) return { path, values };
  readFileSync(path, "utf8")
    .split("\n")
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      const eq = line.indexOf("=");
      if (eq <= 0)
        throw new V2kError(
          "USAGE",
          `${path} line ${i + 1} is not key=value: '${line}'`,
          "Fix the line (see the README's host configuration section).",
        );
      values.set(
        line.slice(0, eq).trim(),
        line
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, "$1"),
      );
    });
  return { path, values };
}

/** Limits shared by every migration on this host (0: unlimited). */
export interface HostCopyLimits {
  /** Disk copies at once on this host, all migrations together. */
  maxParallelDisks: number;
  /** Disk copies at once reading from one ESXi host (its NFC connections and buffers are bounded). */
  maxDisksPerEsxiHost: number;
  /** Disk copies at once reading from one datastore. */
  maxDisksPerDatastore: number;
  /** MB/s (10^6 bytes) for all copies of the host together. */
  bwlimitMBps: number;
  /** Where the slot directories live. */
  slotsDir: string;
}

function numberKey(conf: { path: string; values: Map<string, string> }, key: string, fallback: number): number {
  const raw = conf.values.get(key);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    throw new V2kError("USAGE", `${conf.path}: ${key}=${raw} is not a number >= 0`, `Set ${key} to a number (0 = unlimited).`);
  }
  return n;
}

/** The host's copy limits: host config keys, defaults otherwise; $ABLESTACK_V2K_SLOTS_DIR moves the slots (tests). */
export function hostCopyLimits(env: NodeJS.ProcessEnv = process.env): HostCopyLimits {
  const conf = readHostConfig(env);
  const d = HOST_LIMIT_DEFAULTS;
  return {
    maxParallelDisks: Math.floor(numberKey(conf, "max-parallel-disks", d.maxParallelDisks)),
    maxDisksPerEsxiHost: Math.floor(numberKey(conf, "max-disks-per-esxi-host", d.maxDisksPerEsxiHost)),
    maxDisksPerDatastore: Math.floor(numberKey(conf, "max-disks-per-datastore", d.maxDisksPerDatastore)),
    bwlimitMBps: numberKey(conf, "bwlimit", d.bwlimitMBps),
    slotsDir: env["ABLESTACK_V2K_SLOTS_DIR"] || conf.values.get("slots-dir") || d.slotsDir,
  };
}
