// vCenter access configuration. Stable exports:
//   resolveVcenterAccess(flags, {env, readStdin}, known?): Promise<VcenterAccess>
//   verifyServerTrust(host, port, pinned, insecure), fetchServerCertificate(host, port)
export { resolveVcenterAccess, parseVcenterUrl, type VcenterAccess, type VcenterFlags, type KnownVcenter } from "./vcenter-access";
export { verifyServerTrust, fetchServerCertificate, normalizeThumbprint, type ServerCertificate } from "./tls-trust";
