// Preflight's "KVM networks" check: every port group of the VM maps (--network-map, else the host
// default) to a libvirt network or bridge that exists and is active here. Cutover repeats the check
// before shutdown; preflight shows it first, so the admin fixes the map before anything starts.
import { V2kError } from "../../shared/v2k-error";
import { parseNetworkMap, parseNetworkTarget } from "../libvirt/domain-policy";
import { resolveNetworkDefault } from "../cutover/network-default";
import { type NetworkTarget, describeTarget, networkProblemText, networkProblems } from "../libvirt/networks";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { type Check } from "./checks";

export async function networkCheck(
  portGroups: readonly string[],
  mapValues: readonly string[],
  defaultValue?: string,
  virsh?: Virsh,
): Promise<Check> {
  const fail = (reason: string): Check => ({ id: "networks", title: "KVM networks", status: "fail", reason });
  const v = virsh ?? new Virsh({ uri: libvirtUri(), timeoutMs: 20_000 });
  try {
    const map = parseNetworkMap(mapValues);
    const groups = [...new Set(portGroups)];
    const unmapped = groups.filter((pg) => !map.has(pg));
    let fallback: NetworkTarget | undefined;
    if (unmapped.length > 0) {
      // --network-map-default first, as cutover takes it; else the host's default
      const found = defaultValue ? { target: defaultValue } : await resolveNetworkDefault(v);
      if (!found || "ambiguous" in found) {
        // nothing chosen yet is not a mistake: copies may start, and cutover refuses before shutdown until it is
        const why = found ? `several bridges (${found.ambiguous.join(", ")}) and no default` : "no host default network";
        return {
          id: "networks",
          title: "KVM networks",
          status: "warn",
          reason: `no KVM network chosen for ${unmapped.join(", ")}: ${why}; map each port group (--network-map PG=TARGET) before the cutover`,
        };
      }
      fallback = parseNetworkTarget(found.target);
    }
    const targets = new Map(groups.map((pg) => [pg, map.get(pg) ?? fallback!]));
    const problems = await networkProblems(targets, v);
    if (problems.length > 0) return fail(`NETWORK_MISSING: ${networkProblemText(problems)}`);
    const text = [...targets].map(([pg, t]) => `${pg} -> ${describeTarget(t)}`).join(", ");
    return { id: "networks", title: "KVM networks", status: "pass", reason: text || "the VM has no NIC" };
  } catch (e) {
    if (!(e instanceof V2kError)) throw e;
    return fail(`${e.code}: ${e.message}`);
  }
}
