// Validate and define the domain, idempotently: re-defining our own domain (same run id in its
// metadata) replaces it; a foreign domain of the same name or uuid is never touched.
import { V2kError } from "../../shared/v2k-error";
import { type Virsh } from "./virsh";
import { validateDomainXml } from "./validate";
import { V2K_XML_NAMESPACE } from "./domain-xml";

/** The run id recorded in a domain's metadata, or null for a domain we did not create. */
export function domainRunId(xml: string): string | null {
  if (!xml.includes(V2K_XML_NAMESPACE)) return null;
  return /<(?:\w+:)?runId>([^<]*)<\/(?:\w+:)?runId>/.exec(xml)?.[1] ?? null;
}

/** True when the domain NAME exists and was defined by this run. */
export async function isOurDomain(virsh: Virsh, name: string, runId: string): Promise<boolean> {
  const xml = await virsh.dumpXml(name, true);
  return xml !== null && domainRunId(xml) === runId;
}

export async function defineDomain(
  virsh: Virsh,
  xml: string,
  opts: { name: string; uuid: string; runId: string; signal?: AbortSignal },
): Promise<void> {
  await validateDomainXml(xml, opts.signal);
  const existing = await virsh.dumpXml(opts.name, true);
  if (existing !== null && domainRunId(existing) !== opts.runId) {
    throw new V2kError(
      "VIRSH_FAILED",
      `a libvirt domain named '${opts.name}' already exists and was not created by this migration`,
      "Choose another name with --domain-name, or remove that domain yourself if it is a leftover.",
    );
  }
  const byUuid = await virsh.run(["domname", opts.uuid]).then(
    (s) => s.trim(),
    () => null,
  );
  if (byUuid !== null && byUuid !== opts.name) {
    throw new V2kError(
      "VIRSH_FAILED",
      `the uuid ${opts.uuid} is already used by the libvirt domain '${byUuid}'`,
      "Use --uuid new, or remove the other domain if it is a leftover.",
    );
  }
  await virsh.define(xml, { validate: true });
}
