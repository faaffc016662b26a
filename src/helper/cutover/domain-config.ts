// From the domain options of a cutover or run request to a DomainPolicy: resolves auto choices against the host
// (kvm or TCG), the UUID policy (a new uuid is chosen once and kept in the manifest) and paths.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { domainDecls } from "../../shared/requests/commands";
import { zodFields } from "../../shared/requests/option";
import { type Virsh, resolveDomainType } from "../libvirt/virsh";
import {
  type DomainPolicy,
  type NetworkTarget,
  canonicalUuid,
  defaultDomainName,
  parseNetworkMap,
  parseNetworkTarget,
} from "../libvirt/domain-policy";
import { type NetworkDefaultChoice, resolveNetworkDefault } from "./network-default";
import { domainFiles } from "../libvirt/domain-files";

/** The domain part of a cutover or run request (declared once in src/shared/requests). */
export const DomainOptionsSchema = z.object(zodFields(domainDecls));
export type DomainOptions = z.infer<typeof DomainOptionsSchema>;

/** The cutover's domain options, kept in the workdir for the boot check. */
export const DOMAIN_OPTIONS_FILE = "domain-options.json";

/** The options the cutover used (or the defaults when no cutover ran yet). */
export function savedDomainOptions(workdir: string): DomainOptions {
  try {
    return DomainOptionsSchema.parse(JSON.parse(readFileSync(join(workdir, DOMAIN_OPTIONS_FILE), "utf8")));
  } catch {
    return DomainOptionsSchema.parse({});
  }
}

export function chooseDomainUuid(m: Manifest, policy: "keep" | "new"): string {
  if (m.cutover?.domainUuid) return m.cutover.domainUuid; // chosen on an earlier (interrupted) run
  if (policy === "new") return randomUUID();
  const u = canonicalUuid(m.vm.uuid);
  if (!u) {
    throw new V2kError("USAGE", `the VMware BIOS uuid '${m.vm.uuid}' is not a valid uuid`, "Use --uuid new.");
  }
  return u;
}

/**
 * The network default of a cutover: the flag, else the host's default (see network-default.ts), asked
 * only when some port group is unmapped. Several bridges and no other hint stay a USAGE error.
 */
async function networkDefault(
  m: Manifest,
  o: DomainOptions,
  networkMap: Map<string, unknown>,
  virsh: Virsh,
): Promise<NetworkDefaultChoice | null> {
  if (o["network-map-default"]) return { target: o["network-map-default"], source: "--network-map-default" };
  const unmapped = [...new Set(m.nics.map((n) => n.network).filter((pg) => !networkMap.has(pg)))];
  if (unmapped.length === 0) return null;
  const found = await resolveNetworkDefault(virsh);
  if (found && "ambiguous" in found) {
    throw new V2kError(
      "USAGE",
      `no KVM network for port group(s) ${unmapped.join(", ")}, and the host has several bridges (${found.ambiguous.join(", ")})`,
      "Choose one: --network-map PG=BRIDGE, --network-map-default BRIDGE, $ABLESTACK_V2K_NETWORK_MAP_DEFAULT or network-map-default= in the host config.",
    );
  }
  return found;
}

/** The manifest's map (init, earlier cutovers) with this command's --network-map over it. */
export function effectiveNetworkMap(m: Manifest, o: Pick<DomainOptions, "network-map">): Map<string, NetworkTarget> {
  const recorded = Object.entries(m.networkMap ?? {}).map(([pg, to]) => `${pg}=${to}`);
  return new Map([...parseNetworkMap(recorded), ...parseNetworkMap(o["network-map"] ?? [])]);
}

/** A map as the manifest keeps it: port group -> "bridge:NAME" / "network:NAME". */
export function networkMapRecord(map: ReadonlyMap<string, NetworkTarget>): Record<string, string> {
  return Object.fromEntries([...map].map(([pg, t]) => [pg, `${t.kind}:${t.name}`]));
}

/** --vcpus and --memory as the domain takes them; memory must be whole MiB (libvirt's unit here). */
function domainSizing(o: DomainOptions): { vcpus?: number; memoryMiB?: number } {
  const MiB = 1024 * 1024;
  if (o.memory !== undefined && o.memory % MiB !== 0) {
    throw new V2kError("USAGE", `--memory ${o.memory} is not a whole number of MiB`, "Give the memory in M or G, e.g. --memory 8G.");
  }
  return {
    ...(o.vcpus !== undefined ? { vcpus: o.vcpus } : {}),
    ...(o.memory !== undefined ? { memoryMiB: o.memory / MiB } : {}),
  };
}

export async function resolveDomainPolicy(
  m: Manifest,
  o: DomainOptions,
  virsh: Virsh,
  opts: { hostNetworkDefault?: boolean } = {},
): Promise<DomainPolicy> {
  const name = m.cutover?.domainName ?? o["domain-name"] ?? defaultDomainName(m.vm.name);
  const files = domainFiles(m, name);
  const policy: DomainPolicy = {
    domainType: await resolveDomainType(o["domain-type"], virsh),
    name,
    uuid: chooseDomainUuid(m, o.uuid),
    diskBus: o["disk-bus"],
    nicModel: o["nic-model"],
    networkMap: effectiveNetworkMap(m, o),
    graphics: o.graphics,
    ...domainSizing(o),
    consoleLogPath: files.consoleLog,
    description: `Migrated from VMware VM '${m.vm.name}' (${m.vm.moref}) by ablestack-v2k run ${m.runId}`,
    runId: m.runId,
  };
  const def = opts.hostNetworkDefault
    ? await networkDefault(m, o, policy.networkMap, virsh)
    : o["network-map-default"]
      ? { target: o["network-map-default"], source: "--network-map-default" }
      : null;
  if (def) {
    policy.networkDefault = parseNetworkTarget(def.target);
    policy.networkDefaultSource = def.source;
  }
  return policy;
}
