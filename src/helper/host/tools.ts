// The one place that knows where distributions put things. Debian 12 and Rocky/EL 9 (ABLESTACK hosts)
// install some tools and data files under different paths; everything else in the product asks here
// instead of naming a path (a unit test scans src/ for distribution paths outside this module).
import { accessSync, constants, existsSync, readFileSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Executables outside PATH on some distributions, candidates in order (env override first). */
export const TOOL_CANDIDATES = {
  // EL 9 keeps it in libexec (virt-v2v 2.7.x); Debian 12 (virt-v2v 2.2.0) in /usr/bin
  "virt-v2v-in-place": ["/usr/libexec/virt-v2v-in-place", "/usr/bin/virt-v2v-in-place"],
  // cockpit-ws itself (tests and diagnostics only: the page never needs it)
  "cockpit-ws": ["/usr/libexec/cockpit-ws", "/usr/lib/cockpit/cockpit-ws"],
} as const satisfies Record<string, readonly string[]>;
export type LocatedTool = keyof typeof TOOL_CANDIDATES;

/** Environment variables that name a tool explicitly (air-gapped hosts with a tool elsewhere). */
const TOOL_ENV: Record<LocatedTool, string> = {
  "virt-v2v-in-place": "ABLESTACK_V2K_VIRT_V2V_IN_PLACE",
  "cockpit-ws": "ABLESTACK_V2K_COCKPIT_WS",
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the tool is: $ENV override, the per-distribution candidates, then PATH; null when absent. */
export function locateTool(tool: LocatedTool, env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env[TOOL_ENV[tool]];
  if (override) return isExecutable(override) ? override : null;
  for (const candidate of TOOL_CANDIDATES[tool]) if (isExecutable(candidate)) return candidate;
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, tool))) return join(dir, tool);
  }
  return null;
}

/** What to install for a missing tool, per distribution (for hints). */
export const TOOL_PACKAGES: Record<LocatedTool | "uefi-firmware", string> = {
  "virt-v2v-in-place": "virt-v2v (Rocky 9: dnf install virt-v2v; Debian: apt install virt-v2v)",
  "cockpit-ws": "cockpit-ws",
  "uefi-firmware": "UEFI firmware for QEMU (Rocky 9: edk2-ovmf; Debian: ovmf)",
};

/**
 * QEMU firmware descriptor directories (the interop spec libvirt's firmware autoselection reads), in
 * libvirt's priority order. Rocky's edk2-ovmf and Debian's ovmf both install their descriptors here.
 */
export const FIRMWARE_DESCRIPTOR_DIRS = ["/etc/qemu/firmware", "/usr/share/qemu/firmware"];

interface FirmwareDescriptor {
  "interface-types"?: string[];
  targets?: { architecture?: string; machines?: string[] }[];
  features?: string[];
}

function readDescriptors(dirs: readonly string[]): { file: string; d: FirmwareDescriptor }[] {
  const out: { file: string; d: FirmwareDescriptor }[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .sort()) {
      try {
        out.push({ file: join(dir, name), d: JSON.parse(readFileSync(join(dir, name), "utf8")) as FirmwareDescriptor });
      } catch {
        // an unreadable descriptor is skipped, as libvirt does
      }
    }
  }
  return out;
}

/**
 * The descriptor libvirt can pick for an x86_64 q35 UEFI guest with (secure boot + enrolled keys) or
 * without secure boot, as our domain XML asks; null when this host has no such firmware.
 */
export function findUefiFirmware(secureBoot: boolean, dirs: readonly string[] = FIRMWARE_DESCRIPTOR_DIRS): string | null {
  for (const { file, d } of readDescriptors(dirs)) {
    if (!d["interface-types"]?.includes("uefi")) continue;
    const q35 = d.targets?.some((t) => t.architecture === "x86_64" && (t.machines ?? []).some((m) => m.startsWith("pc-q35")));
    if (!q35) continue;
    const features = d.features ?? [];
    const sb = features.includes("secure-boot");
    if (secureBoot ? sb && features.includes("enrolled-keys") : !sb) return file;
  }
  return null;
}

/** virtio-win's drivers as its package installs them (EL: virtio-win; Debian ships no such package). */
export const VIRTIO_WIN_DIRS = ["/usr/share/virtio-win"];
