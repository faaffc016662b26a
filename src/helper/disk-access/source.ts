// Where a disk is read from (sync rounds and verify). `http`: the snapshot's frozen base -flat.vmdk
// over the datastore /folder URL (valid only while our snapshot is the VM's only one, checked by the caller).
// `vddk`: nbdkit's vddk plugin on the snapshot (production hosts with VDDK installed).
import { type Manifest } from "../../shared/manifest";
import { V2kError } from "../../shared/v2k-error";
import { type HttpSourceSpec, type VddkSourceSpec } from "../endpoints/index";
import { type VsphereSession } from "../vsphere/session";

/** "[ds1] web01/web01.vmdk" -> { datastore: "ds1", path: "web01/web01.vmdk" } */
export function splitDatastorePath(fileName: string): { datastore: string; path: string } {
  const m = /^\[([^\]]+)\]\s*(.*)$/.exec(fileName);
  if (!m) throw new V2kError("VSPHERE_FAULT", `unexpected disk file name '${fileName}'`, "Only datastore-backed disks can be migrated.");
  return { datastore: m[1]!, path: m[2]! };
}

/** "[ds1] web01/web01.vmdk" -> "https://host:port/folder/web01/web01-flat.vmdk?dcPath=DC&dsName=ds1" */
export function datastoreFlatUrl(host: string, port: number, datacenter: string, fileName: string): string {
  const { datastore, path } = splitDatastorePath(fileName);
  const flat = path.replace(/\.vmdk$/, "-flat.vmdk");
  const encoded = flat.split("/").map(encodeURIComponent).join("/");
  const h = host.includes(":") ? `[${host}]` : host;
  return `https://${h}:${port}/folder/${encoded}?dcPath=${encodeURIComponent(datacenter)}&dsName=${encodeURIComponent(datastore)}`;
}

/** The nbdkit source of a disk file, read through the session (cookie or VDDK login) at a snapshot. */
export async function sourceSpecOf(
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
