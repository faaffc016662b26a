// The operator's choices for the KVM domain (cutover options) and how "auto" resolves per guest.
// Pure: no host access, so the XML builder can be unit-tested without libvirt.
import { z } from "zod";
import { V2kError } from "../../shared/v2k-error";
import { FIRMWARE_CHOICES, type Firmware } from "../../shared/firmware";

export const DiskBusPolicy = z.enum(["auto", "virtio", "scsi", "sata"]);
export type DiskBusPolicy = z.infer<typeof DiskBusPolicy>;
export const NicModelPolicy = z.enum(["auto", "virtio", "e1000e"]);
export type NicModelPolicy = z.infer<typeof NicModelPolicy>;
export const UuidPolicy = z.enum(["keep", "new"]);
export type UuidPolicy = z.infer<typeof UuidPolicy>;
export const DomainTypePolicy = z.enum(["auto", "kvm", "qemu"]);
export type DomainTypePolicy = z.infer<typeof DomainTypePolicy>;
export const GraphicsPolicy = z.enum(["vnc", "none"]);
export type GraphicsPolicy = z.infer<typeof GraphicsPolicy>;
export const FirmwarePolicy = z.enum(FIRMWARE_CHOICES);
export type FirmwarePolicy = z.infer<typeof FirmwarePolicy>;

import { type NetworkTarget } from "../libvirt/networks";

export type { NetworkTarget };

/** "br0" or "bridge:br0" -> bridge; "network:default" -> libvirt network. */
export function parseNetworkTarget(text: string): NetworkTarget {
  const value = text.trim();
  const m = /^(bridge|network):(.+)$/.exec(value);
  const target: NetworkTarget = m ? { kind: m[1] as "bridge" | "network", name: m[2]!.trim() } : { kind: "bridge", name: value };
  if (target.name === "" || /[\s'"<>&]/.test(target.name)) {
    throw new V2kError("USAGE", `invalid network target '${text}'`, "Use a bridge name (br0), bridge:NAME or network:NAME.");
  }
  return target;
}

/** "pg=br0,pg2=network:default" (repeatable option values are joined). Port group names are matched exactly. */
export function parseNetworkMap(values: readonly string[]): Map<string, NetworkTarget> {
  const map = new Map<string, NetworkTarget>();
  for (const value of values) {
    for (const item of value.split(",")) {
      if (item.trim() === "") continue;
      const eq = item.lastIndexOf("=");
      if (eq <= 0) {
        throw new V2kError(
          "USAGE",
          `invalid --network-map entry '${item}'`,
          "Write PORTGROUP=BRIDGE or PORTGROUP=network:NAME, comma separated.",
        );
      }
      map.set(item.slice(0, eq).trim(), parseNetworkTarget(item.slice(eq + 1)));
    }
  }
  return map;
}

export interface RbdDomainAccess {
  hosts: { host: string; port: number }[];
  auth?: { username: string; secretUuid: string };
}

export interface DomainPolicy {
  domainType: "kvm" | "qemu";
  name: string;
  uuid: string;
  diskBus: DiskBusPolicy;
  nicModel: NicModelPolicy;
  networkMap: Map<string, NetworkTarget>;
  /** Target of NICs whose port group is not in the map; without it an unmapped NIC is an error. */
  networkDefault?: NetworkTarget;
  /** What chose networkDefault (the flag, the environment, the host config, libvirt, the host's bridge). */
  networkDefaultSource?: string;
  graphics: GraphicsPolicy;
  /** Sizing chosen at cutover (--vcpus, --memory); absent: the VMware VM's. */
  vcpus?: number;
  memoryMiB?: number;
  /** Firmware chosen at cutover (--firmware, resolved); absent: the VMware VM's. */
  firmware?: Firmware;
  /** Serial console output is also written here (virtlogd), so verify and operators can read it. */
  consoleLogPath?: string;
  /** UEFI variable store at a path of our choosing (throw-away boot checks); default: libvirt's own. */
  nvramPath?: string;
  /** Leave out every NIC (isolated boot check). */
  noNetwork?: boolean;
  /** Overrides each disk's source path (boot check on overlays), by disk key. */
  diskSources?: Map<number, { path: string; format: "qcow2" | "raw" }>;
  /** RBD disks: the monitors (from the conf) and, with cephx, the client and its libvirt secret. */
  rbd?: RbdDomainAccess;
  description?: string;
  runId?: string;
}

export function resolveDiskBus(policy: DiskBusPolicy, guestHasVirtio: boolean): "virtio" | "scsi" | "sata" {
  // Windows guests have no virtio drivers until the conversion step injects them.
  if (policy === "auto") return guestHasVirtio ? "virtio" : "sata";
  return policy;
}

export function resolveNicModel(policy: NicModelPolicy, guestHasVirtio: boolean): "virtio" | "e1000e" {
  if (policy === "auto") return guestHasVirtio ? "virtio" : "e1000e";
  return policy;
}

export interface FirmwareFeature {
  name: "secure-boot" | "enrolled-keys";
  enabled: boolean;
}

/**
 * Features libvirt's firmware autoselection must match for a UEFI guest. Secure boot comes with the
 * Microsoft keys enrolled (Windows and shim-signed Linux boot loaders); UEFI without it is asked for
 * explicitly, as on VMware, so unsigned boot loaders still start.
 */
export function firmwareFeatures(secureBoot: boolean): FirmwareFeature[] {
  return secureBoot
    ? [
        { name: "secure-boot", enabled: true },
        { name: "enrolled-keys", enabled: true },
      ]
    : [{ name: "secure-boot", enabled: false }];
}

/** Default domain name: the VMware name with characters libvirt or shells choke on replaced. */
export function defaultDomainName(vmName: string): string {
  const cleaned = vmName.replace(/[^A-Za-z0-9._+-]/g, "_").replace(/^[-.]+/, "");
  return cleaned === "" ? "v2k-vm" : cleaned;
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** VMware shows BIOS uuids in several spellings ("42 1e 2f ..-..", upper case); libvirt wants the canonical form. */
export function canonicalUuid(text: string): string | null {
  const hex = text.replace(/[\s-]/g, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  const u = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return uuidRe.test(u) ? u : null;
}
