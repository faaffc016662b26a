// The host's places for a NIC: libvirt networks (virsh net-list/net-info) and Linux bridges
// (/sys/class/net/NAME/bridge). Read-only; the cutover and preflight check a network map against them
// before the VMware VM is shut down, so a missing or stopped network never strands the migration.
import { join } from "node:path";
import { V2kError } from "../../shared/v2k-error";
import { existsSync as exists, readdirSync } from "node:fs";
import { type Virsh } from "./virsh";
import { say } from "../../shared/i18n/lang";

/** Where a VMware port group lands on the KVM host. */
export type NetworkTarget = { kind: "bridge"; name: string } | { kind: "network"; name: string };

/** Linux bridges of this host (/sys/class/net/NAME/bridge exists). */
export function hostBridges(sysNet = "/sys/class/net"): string[] {
  try {
    return readdirSync(sysNet)
      .filter((n) => exists(join(sysNet, n, "bridge")))
      .sort();
  } catch {
    return [];
  }
}

export interface LibvirtNetwork {
  name: string;
  active: boolean;
  autostart: boolean;
  bridge?: string;
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:\\s+(.+)$`, "m").exec(info)?.[1]?.trim();
}

/** Every libvirt network of the connection, active or not. */
export async function libvirtNetworks(virsh: Virsh): Promise<LibvirtNetwork[]> {
  const names = (await virsh.run(["net-list", "--all", "--name"]))
    .split("\n")
    .map((n) => n.trim())
    .filter(Boolean);
  const out: LibvirtNetwork[] = [];
  for (const name of names) {
    const info = await virsh.run(["net-info", name]);
    const bridge = field(info, "Bridge");
    out.push({
      name,
      active: field(info, "Active") === "yes",
      autostart: field(info, "Autostart") === "yes",
      ...(bridge ? { bridge } : {}),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export interface NetworkProblem {
  portGroup: string;
  target: string;
  reason: "missing" | "inactive";
}

export function describeTarget(t: NetworkTarget): string {
  return `${t.kind}:${t.name}`;
}

/** Which mapped targets do not exist on this host or are not active (libvirt networks must be running). */
export async function networkProblems(
  targets: ReadonlyMap<string, NetworkTarget>,
  virsh: Virsh,
  sysNet = "/sys/class/net",
): Promise<NetworkProblem[]> {
  const needsLibvirt = [...targets.values()].some((t) => t.kind === "network");
  const networks = needsLibvirt ? await libvirtNetworks(virsh) : [];
  const problems: NetworkProblem[] = [];
  for (const [portGroup, t] of targets) {
    const target = describeTarget(t);
    if (t.kind === "bridge") {
      if (!exists(join(sysNet, t.name, "bridge"))) problems.push({ portGroup, target, reason: "missing" });
      continue;
    }
    const n = networks.find((x) => x.name === t.name);
    if (!n || !n.active) problems.push({ portGroup, target, reason: n ? "inactive" : "missing" });
  }
  return problems;
}

export function networkProblemText(problems: readonly NetworkProblem[]): string {
  const why = (p: NetworkProblem) => (p.reason === "missing" ? say("does not exist", "없음") : say("not active", "비활성"));
  return problems.map((p) => `${p.portGroup} -> ${p.target} (${why(p)})`).join(", ");
}

/** The refusal for targets that do not exist or are not active, before the VMware VM is shut down. */
export function networkMissingError(problems: readonly NetworkProblem[]): V2kError {
  return new V2kError(
    "NETWORK_MISSING",
    `the KVM network for ${networkProblemText(problems)}`,
    "Map the port group to an existing network or bridge (storage networks lists them), or start the network " +
      "(virsh net-start NAME; net-autostart NAME), then run the step again. The VMware VM was left running.",
  );
}

/** What the page offers per port group: the host's active networks and bridges, and the host default. */
export async function hostNetworkChoices(virsh: Virsh, sysNet?: string) {
  return { networks: await libvirtNetworks(virsh), bridges: hostBridges(sysNet) };
}
