// Where NICs of unmapped port groups go when no --network-map-default is given, in this order:
// $ABLESTACK_V2K_NETWORK_MAP_DEFAULT, the host config file (network-map-default=...), libvirt's
// network 'default' when it is active, the only Linux bridge of the host. Nothing (or several
// bridges) leaves the choice to the admin: cutover then stops with USAGE, as it does when the env or
// the config file says "none".
import { readHostConfig } from "../config/host-config";
import { type Virsh } from "../libvirt/virsh";
import { hostBridges } from "../libvirt/networks";
import { say } from "../../shared/i18n/lang";

export interface NetworkDefaultChoice {
  /** Same syntax as --network-map-default: BRIDGE, bridge:NAME or network:NAME. */
  target: string;
  /** What decided, for events and the manifest. */
  source: string;
}

async function defaultNetworkActive(virsh: Virsh): Promise<boolean> {
  try {
    return /^Active:\s+yes$/m.test(await virsh.run(["net-info", "default"]));
  } catch {
    return false; // no such network (or no libvirtd): not a candidate
  }
}

export async function resolveNetworkDefault(
  virsh: Virsh,
  env: NodeJS.ProcessEnv = process.env,
  sysNet?: string,
): Promise<NetworkDefaultChoice | { ambiguous: string[] } | null> {
  // "none" turns the host default off: every port group must then be mapped explicitly
  const fromEnv = env["ABLESTACK_V2K_NETWORK_MAP_DEFAULT"];
  if (fromEnv) return fromEnv === "none" ? null : { target: fromEnv, source: "$ABLESTACK_V2K_NETWORK_MAP_DEFAULT" };
  const conf = readHostConfig(env);
  const fromFile = conf.values.get("network-map-default");
  if (fromFile)
    return fromFile === "none"
      ? null
      : { target: fromFile, source: say(`network-map-default in ${conf.path}`, `${conf.path}의 network-map-default`) };
  if (await defaultNetworkActive(virsh))
    return {
      target: "network:default",
      source: say("libvirt network 'default' (active)", "libvirt 네트워크 'default'(활성)"),
    };
  const bridges = hostBridges(sysNet);
  if (bridges.length === 1)
    return {
      target: bridges[0]!,
      source: say(`the host's only Linux bridge ${bridges[0]}`, `호스트의 유일한 Linux 브리지 ${bridges[0]}`),
    };
  return bridges.length > 1 ? { ambiguous: bridges } : null;
}
