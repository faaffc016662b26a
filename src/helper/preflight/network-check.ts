// Preflight's "KVM networks" check: every port group of the VM maps (--network-map, else the default) to a
// libvirt network or bridge that exists and is active here. Cutover decides from the same resolution before
// shutdown; preflight shows it first, so the admin fixes the map before anything starts.
import { V2kError } from "../../shared/v2k-error";
import { parseNetworkMap } from "../libvirt/domain-policy";
import { type NetworkHost, resolveNetworks, unchosenNetworksWarning } from "../cutover/domain-config";
import { describeTarget, networkProblemText } from "../libvirt/networks";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { type Check } from "./checks";
import { say } from "../../shared/i18n/lang";

export async function networkCheck(
  portGroups: readonly string[],
  mapValues: readonly string[],
  defaultValue?: string,
  virsh?: Virsh,
  host: NetworkHost = {},
): Promise<Check> {
  const check = (status: Check["status"], reason: string): Check => ({
    id: "networks",
    title: say("KVM networks", "KVM 네트워크"),
    status,
    reason,
  });
  const v = virsh ?? new Virsh({ uri: libvirtUri(), timeoutMs: 20_000 });
  try {
    const r = await resolveNetworks(portGroups, parseNetworkMap(mapValues), defaultValue, v, host);
    // a missing or inactive target is a No-Go; nothing chosen yet is not a mistake: copies may start, and
    // cutover refuses before shutdown until it is
    if (!r.ok && r.missing.length > 0) return check("fail", `NETWORK_MISSING: ${networkProblemText(r.missing)}`);
    if (!r.ok) return check("warn", unchosenNetworksWarning(r.unchosen!));
    const text = [...r.targets].map(([pg, t]) => `${pg} -> ${describeTarget(t)}`).join(", ");
    return check("pass", text || say("the VM has no NIC", "VM에 NIC가 없습니다"));
  } catch (e) {
    if (!(e instanceof V2kError)) throw e;
    return check("fail", `${e.code}: ${e.message}`);
  }
}
