// From the domain options of a cutover or run request to a DomainPolicy: resolves auto choices against the host
// (kvm or TCG), the UUID policy (a new uuid is chosen once and kept in the manifest) and paths; and the one
// resolution of port groups to KVM networks that preflight and cutover both check.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type Firmware, domainFirmware } from "../../shared/firmware";
import { say } from "../../shared/i18n/lang";
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
import { type NetworkProblem, networkMissingError, networkProblems } from "../libvirt/networks";

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

/** Port groups with no KVM network yet: no map entry and no default (none on the host, or several bridges). */
export interface UnchosenNetworks {
  portGroups: string[];
  /** The host's bridges when there are several and nothing says which. */
  ambiguous?: string[];
}

/** Where the host's default is looked for; tests give their own config env and /sys/class/net. */
export interface NetworkHost {
  env?: NodeJS.ProcessEnv;
  sysNet?: string;
}

/**
 * The default for unmapped port groups: --network-map-default, else the host's (network-default.ts), asked only
 * when some port group is unmapped. Nothing found, or several bridges, leaves those port groups unchosen.
 */
async function chooseNetworkDefault(
  portGroups: readonly string[],
  map: ReadonlyMap<string, unknown>,
  flag: string | undefined,
  virsh: Virsh,
  host: NetworkHost,
): Promise<{ choice: NetworkDefaultChoice | null } | { unchosen: UnchosenNetworks }> {
  if (flag) return { choice: { target: flag, source: "--network-map-default" } };
  const unmapped = [...new Set(portGroups.filter((pg) => !map.has(pg)))];
  if (unmapped.length === 0) return { choice: null };
  const found = await resolveNetworkDefault(virsh, host.env, host.sysNet);
  if (!found) return { unchosen: { portGroups: unmapped } };
  if ("ambiguous" in found) return { unchosen: { portGroups: unmapped, ambiguous: found.ambiguous } };
  return { choice: found };
}

export type NetworkResolution =
  | { ok: true; targets: Map<string, NetworkTarget>; default: NetworkDefaultChoice | null }
  | { ok: false; unchosen: UnchosenNetworks | null; missing: NetworkProblem[] };

/**
 * Every port group's KVM network (its map entry, else the default) checked against the host: the targets, or
 * what is wrong (port groups nothing chose; targets that do not exist or are not active). Preflight and cutover
 * both decide from this; only how they report differs.
 */
export async function resolveNetworks(
  portGroups: readonly string[],
  map: ReadonlyMap<string, NetworkTarget>,
  flag: string | undefined,
  virsh: Virsh,
  host: NetworkHost = {},
): Promise<NetworkResolution> {
  const groups = [...new Set(portGroups)];
  const d = await chooseNetworkDefault(groups, map, flag, virsh, host);
  const fallback = "choice" in d && d.choice ? parseNetworkTarget(d.choice.target) : undefined;
  const targets = new Map<string, NetworkTarget>();
  for (const pg of groups) {
    const t = map.get(pg) ?? fallback;
    if (t) targets.set(pg, t);
  }
  const missing = await networkProblems(targets, virsh, host.sysNet);
  if ("unchosen" in d || missing.length > 0) return { ok: false, unchosen: "unchosen" in d ? d.unchosen : null, missing };
  return { ok: true, targets, default: d.choice };
}

/** Cutover's refusal of unchosen port groups (before shutdown): the admin has to pick. */
export function unchosenNetworksError(u: UnchosenNetworks): V2kError {
  const pgs = u.portGroups.join(", ");
  return u.ambiguous
    ? new V2kError(
        "USAGE",
        `no KVM network for port group(s) ${pgs}, and the host has several bridges (${u.ambiguous.join(", ")})`,
        "Choose one: --network-map PG=BRIDGE, --network-map-default BRIDGE, $ABLESTACK_V2K_NETWORK_MAP_DEFAULT or network-map-default= in the host config.",
      )
    : new V2kError(
        "USAGE",
        `no KVM network for port group(s): ${pgs}`,
        "Map each port group with --network-map PG=BRIDGE[,PG2=network:NAME] or give --network-map-default.",
      );
}

/** Preflight's warning for the same: copies may start, the cutover refuses until a map exists. */
export function unchosenNetworksWarning(u: UnchosenNetworks): string {
  const pgs = u.portGroups.join(", ");
  const b = u.ambiguous?.join(", ");
  const why = b
    ? say(`several bridges (${b}) and no default`, `브리지가 여럿(${b})이고 기본값이 없습니다`)
    : say("no host default network", "호스트 기본 네트워크가 없습니다");
  return say(
    `no KVM network chosen for ${pgs}: ${why}; map each port group (--network-map PG=TARGET) before the cutover`,
    `${pgs}의 KVM 네트워크를 정하지 않았습니다: ${why}. 컷오버 전에 포트 그룹마다 매핑하세요(--network-map PG=TARGET)`,
  );
}

/** Cutover refuses before shutdown: unchosen port groups first (USAGE), then missing targets (NETWORK_MISSING). */
export function networksError(r: Extract<NetworkResolution, { ok: false }>): V2kError {
  return r.unchosen ? unchosenNetworksError(r.unchosen) : networkMissingError(r.missing);
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

/** A cutover's default (the flag, else the host's); unchosen port groups get the same USAGE refusal as the network check. */
async function hostNetworkDefault(
  m: Manifest,
  o: DomainOptions,
  map: ReadonlyMap<string, NetworkTarget>,
  virsh: Virsh,
): Promise<NetworkDefaultChoice | null> {
  const d = await chooseNetworkDefault(
    m.nics.map((n) => n.network),
    map,
    o["network-map-default"],
    virsh,
    {},
  );
  if ("unchosen" in d) throw unchosenNetworksError(d.unchosen);
  return d.choice;
}

export async function resolveDomainPolicy(
  m: Manifest,
  o: DomainOptions,
  virsh: Virsh,
  opts: { hostNetworkDefault?: boolean; firmware?: Firmware } = {},
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
    firmware: opts.firmware ?? domainFirmware(m.vm, o.firmware),
    consoleLogPath: files.consoleLog,
    description: `Migrated from VMware VM '${m.vm.name}' (${m.vm.moref}) by ablestack-v2k run ${m.runId}`,
    runId: m.runId,
  };
  const def = opts.hostNetworkDefault
    ? await hostNetworkDefault(m, o, policy.networkMap, virsh)
    : o["network-map-default"]
      ? { target: o["network-map-default"], source: "--network-map-default" }
      : null;
  if (def) {
    policy.networkDefault = parseNetworkTarget(def.target);
    policy.networkDefaultSource = def.source;
  }
  return policy;
}
