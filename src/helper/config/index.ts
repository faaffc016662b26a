// vCenter access configuration. Stable exports:
//   resolveVcenterAccess(flags, {env, readStdin}, known?): Promise<VcenterAccess>
//   vcenterOptions (option specs), verifyServerTrust(host, port, pinned, insecure), fetchServerCertificate(host, port)
export {
  resolveVcenterAccess,
  parseVcenterUrl,
  vcenterOptions,
  vcenterSchemaFields,
  type VcenterAccess,
  type VcenterFlags,
  type KnownVcenter,
} from "./vcenter-access";
export { verifyServerTrust, fetchServerCertificate, normalizeThumbprint, type ServerCertificate } from "./tls-trust";
