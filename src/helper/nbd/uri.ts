// NBD URIs as nbdcopy/libnbd write them: nbd+unix:///EXPORT?socket=PATH and nbd://HOST[:PORT]/EXPORT.
import { V2kError } from "../../shared/v2k-error";
import { type NbdConnectOptions } from "./client";

export function parseNbdUri(uri: string): NbdConnectOptions {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new V2kError("USAGE", `not an NBD URI: ${uri}`, "Use nbd+unix:///EXPORT?socket=PATH or nbd://HOST:PORT/EXPORT.");
  }
  const exportName = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (u.protocol === "nbd+unix:") {
    const socket = u.searchParams.get("socket");
    if (!socket) throw new V2kError("USAGE", `NBD URI without socket=: ${uri}`, "Add ?socket=/path/to/socket.");
    return { socket, exportName };
  }
  if (u.protocol === "nbd:") {
    if (!u.hostname) throw new V2kError("USAGE", `NBD URI without a host: ${uri}`, "Use nbd://HOST:PORT/EXPORT.");
    return { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port ? Number(u.port) : 10809, exportName };
  }
  throw new V2kError("USAGE", `unsupported NBD URI scheme ${u.protocol} (TLS is not supported)`, "Use nbd+unix:// or nbd://.");
}

export function unixNbdUri(socket: string, exportName = ""): string {
  return `nbd+unix:///${encodeURIComponent(exportName)}?socket=${encodeURIComponent(socket)}`;
}
