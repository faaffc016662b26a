// Where a round reads a disk from. `http`: the snapshot's frozen base -flat.vmdk over the datastore
// /folder URL (valid only while our snapshot is the VM's only one, checked by the caller).
// `vddk`: nbdkit's vddk plugin on the snapshot (production hosts with VDDK installed).
import { type Manifest } from "../../shared/manifest";
import { type HttpSourceSpec, type VddkSourceSpec } from "../endpoints/index";
import { type VsphereSession } from "../vsphere/session";
import { splitDatastorePath } from "./inventory-manifest";

/** "[ds1] web01/web01.vmdk" -> "https://host:port/folder/web01/web01-flat.vmdk?dcPath=DC&dsName=ds1" */
export function datastoreFlatUrl(host: string, port: number, datacenter: string, fileName: string): string {
  const { datastore, path } = splitDatastorePath(fileName);
  const flat = path.replace(/\.vmdk$/, "-flat.vmdk");
  const encoded = flat.split("/").map(encodeURIComponent).join("/");
  const h = host.includes(":") ? `[${host}]` : host;
  return `https://${h}:${port}/folder/${encoded}?dcPath=${encodeURIComponent(datacenter)}&dsName=${encodeURIComponent(datastore)}`;
}

export async function diskSourceSpec(
  m: Manifest,
  session: VsphereSession,
  fileName: string,
  snapshotMoref: string,
): Promise<HttpSourceSpec | VddkSourceSpec> {
  const { access, certificate, bridge } = session;
  if (m.target.transport === "http") {
    const spec: HttpSourceSpec = {
      kind: "http",
      url: datastoreFlatUrl(access.host, access.port, m.vcenter.datacenter ?? "ha-datacenter", fileName),
      cookie: await bridge.sessionCookie(),
    };
    if (access.insecure) spec.insecure = true;
    else spec.caCertPem = certificate.pem;
    return spec;
  }
  return {
    kind: "vddk",
    libdir: process.env.V2K_VDDK_LIBDIR ?? "/usr/lib/vmware-vix-disklib",
    server: access.host,
    user: access.username,
    password: access.password,
    thumbprint: access.thumbprint ?? certificate.thumbprint,
    vmMoref: m.vm.moref,
    snapshotMoref,
    file: fileName,
    ...(access.port !== 443 ? { port: access.port } : {}),
  };
}
