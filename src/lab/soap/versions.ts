// Version profiles: which vSphere generation the lab presents. vCenter's about, the ESXi hosts'
// product and /sdk/vimServiceVersions.xml always agree with each other, and the host is a version
// that vCenter can manage. The wire stays the 6.7.1 type table: every profile lists 6.7.1 among its
// prior versions, so pyVmomi 6.7.1 (and govc, which speaks any of them) connects to each.
export const API_PROFILES = ["6.7", "7.0", "8.0"] as const;
export type ApiProfileName = (typeof API_PROFILES)[number];
export const DEFAULT_API_PROFILE: ApiProfileName = "6.7";

export interface VersionProfile {
  name: ApiProfileName;
  vcenter: { version: string; build: string; apiVersion: string };
  esxi: { version: string; build: string };
  /** API versions /sdk/vimServiceVersions.xml lists, newest first. */
  apiVersions: string[];
}

const OLDER = ["6.7.3", "6.7.2", "6.7.1", "6.7", "6.5", "6.0", "5.5"];

export const VERSION_PROFILES: Record<ApiProfileName, VersionProfile> = {
  "6.7": {
    name: "6.7",
    vcenter: { version: "6.7.0", build: "14367737", apiVersion: "6.7.3" },
    esxi: { version: "6.7.0", build: "15160138" },
    apiVersions: OLDER,
  },
  "7.0": {
    name: "7.0",
    vcenter: { version: "7.0.3", build: "21477706", apiVersion: "7.0.3.0" },
    esxi: { version: "7.0.3", build: "21930508" },
    apiVersions: ["7.0.3.0", "7.0.2.0", "7.0.1.0", "7.0.0.0", ...OLDER],
  },
  "8.0": {
    name: "8.0",
    vcenter: { version: "8.0.2", build: "22617221", apiVersion: "8.0.2.0" },
    esxi: { version: "8.0.2", build: "22380479" },
    apiVersions: ["8.0.2.0", "8.0.1.0", "8.0.0.1", "8.0.0.0", "7.0.3.0", "7.0.2.0", "7.0.1.0", "7.0.0.0", ...OLDER],
  },
};

export function versionProfile(name: string | undefined): VersionProfile {
  return VERSION_PROFILES[(name ?? DEFAULT_API_PROFILE) as ApiProfileName] ?? VERSION_PROFILES[DEFAULT_API_PROFILE];
}

/** The body of /sdk/vimServiceVersions.xml for a profile. */
export function serviceVersionsXml(p: VersionProfile): string {
  const [current, ...prior] = p.apiVersions;
  return `<?xml version="1.0" encoding="UTF-8"?>
<namespaces version="1.0">
 <namespace>
  <name>urn:vim25</name>
  <version>${current}</version>
  <priorVersions>
${prior.map((v) => `   <version>${v}</version>`).join("\n")}
  </priorVersions>
 </namespace>
</namespaces>
`;
}
