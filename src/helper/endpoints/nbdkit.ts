// nbdkit command lines for the sources. Secrets (session cookie, vCenter password) go into 0600
// files inside the private directory and reach nbdkit as `+FILE`, never as argv values.
import { exec } from "../../kit/exec";
import { V2kError } from "../../shared/v2k-error";
import { type PrivateDir } from "./daemon";

/** Datastore HTTPS source (VDDK-free): ESXi/vCenter `/folder/...-flat.vmdk?dcPath=..&dsName=..`. */
export interface HttpSourceSpec {
  kind: "http";
  /** https://HOST/folder/DIR/DISK-flat.vmdk?dcPath=DC&dsName=DS */
  url: string;
  /** Cookie header value, e.g. `vmware_soap_session="52a0..."`. Secret: written to a 0600 file. */
  cookie?: string;
  /** PEM of the server certificate (or its CA) the caller pinned by thumbprint. */
  caCertPem?: string;
  /** Skip TLS verification: only when the operator asked for it. */
  insecure?: boolean;
  /** Put nbdkit's retry filter in front (reopen + retry on transient HTTP failures). Default true. */
  retry?: boolean;
  /** Per-request timeout in seconds. Default 120. */
  timeoutSec?: number;
}

/** VMware VDDK source (nbdkit vddk plugin, operator-installed). */
export interface VddkSourceSpec {
  kind: "vddk";
  /** Directory of the VDDK library (contains lib64/libvixDiskLib.so). */
  libdir: string;
  /** vCenter or ESXi host name. */
  server: string;
  user: string;
  /** Secret: written to a 0600 file, passed as password=+FILE. */
  password: string;
  /** SHA-1 thumbprint of the server certificate, colon separated. */
  thumbprint: string;
  /** VM moref, e.g. "vm-42". */
  vmMoref: string;
  /** Snapshot moref to read from, e.g. "snapshot-7". */
  snapshotMoref?: string;
  /** Disk file as VMware names it: "[datastore1] dir/disk.vmdk". */
  file: string;
  /** e.g. "nbdssl:nbd" or "hotadd:nbdssl:nbd". Default "nbdssl:nbd". */
  transports?: string;
  compression?: "none" | "zlib" | "fastlz" | "skipz";
  port?: number;
  /** Largest request VDDK sees (blocksize filter maxdata). Default 2 MiB (NFC memory limits). */
  maxData?: number;
}

/** A local file or device read through nbdkit's file plugin (tests, local flat VMDKs). */
export interface FileSourceSpec {
  kind: "file";
  path: string;
}

/** Common nbdkit options: foreground, private UNIX socket, pid file as readiness signal. */
export function nbdkitBaseArgs(dir: PrivateDir, readOnly: boolean): string[] {
  return [
    "--foreground",
    "--exit-with-parent",
    "--unix",
    dir.file("nbd.sock"),
    "--pidfile",
    dir.file("nbdkit.pid"),
    // a private UNIX socket needs no NBD TLS: nbdkit then skips looking for certificates at start-up
    "--tls=off",
    ...(readOnly ? ["--readonly"] : []),
  ];
}

export function curlArgs(spec: HttpSourceSpec, dir: PrivateDir): string[] {
  if (!/^https?:\/\//.test(spec.url)) throw new V2kError("USAGE", `not an http(s) URL: ${spec.url}`, "Give the datastore /folder URL.");
  if (spec.url.startsWith("https:") && spec.caCertPem === undefined && !spec.insecure) {
    throw new V2kError(
      "TLS_UNTRUSTED",
      "no certificate to verify the datastore server with",
      "Pin the server's certificate (thumbprint) or pass --insecure explicitly.",
    );
  }
  const args = [...nbdkitBaseArgs(dir, true)];
  if (spec.retry ?? true) args.push("--filter=retry");
  args.push("curl", `url=${spec.url}`, `timeout=${spec.timeoutSec ?? 120}`);
  if (spec.cookie !== undefined) args.push(`cookie=+${dir.secretFile("cookie", spec.cookie)}`);
  if (spec.caCertPem !== undefined) args.push(`cainfo=${dir.secretFile("ca.pem", spec.caCertPem)}`);
  // Trust is the pinned certificate alone. Without a CA directory of its own, libcurl parses the system
  // store (~430 certificates, 0.1 s of CPU) on every connection, even with sslverify=false.
  args.push(`capath=${dir.subdir("capath")}`);
  if (spec.insecure) args.push("sslverify=false");
  // Short: it bridges a blip (1 s, then 2 s). Longer outages and resets are the helper's to retry with
  // backoff, and an expired session (401 on every read) reaches the re-login within seconds.
  if (spec.retry ?? true) args.push("retries=2", "retry-delay=1");
  return args;
}

export function vddkArgs(spec: VddkSourceSpec, dir: PrivateDir): string[] {
  const maxData = spec.maxData ?? 2 * 1024 * 1024;
  const args = [
    ...nbdkitBaseArgs(dir, true),
    // Outermost first: cache extents answers, retry reopens VDDK on failure, blocksize caps NFC requests.
    "--filter=cacheextents",
    "--filter=retry",
    "--filter=blocksize",
    "vddk",
    `libdir=${spec.libdir}`,
    `server=${spec.server}`,
    `user=${spec.user}`,
    `password=+${dir.secretFile("password", spec.password)}`,
    `thumbprint=${spec.thumbprint}`,
    `vm=moref=${spec.vmMoref}`,
  ];
  if (spec.snapshotMoref !== undefined) args.push(`snapshot=${spec.snapshotMoref}`);
  args.push(`transports=${spec.transports ?? "nbdssl:nbd"}`);
  if (spec.compression !== undefined) args.push(`compression=${spec.compression}`);
  if (spec.port !== undefined) args.push(`port=${spec.port}`);
  args.push(`file=${spec.file}`, `maxdata=${maxData}`, "retries=5", "retry-delay=2");
  return args;
}

export function fileArgs(spec: FileSourceSpec, dir: PrivateDir): string[] {
  return [...nbdkitBaseArgs(dir, true), "file", `file=${spec.path}`];
}

/** Fails with TOOL_MISSING when nbdkit or the named plugin is not installed. */
export async function requireNbdkitPlugin(plugin: string): Promise<void> {
  try {
    await exec("nbdkit", [plugin, "--dump-plugin"], { timeoutMs: 15_000 });
  } catch (e) {
    if (e instanceof V2kError && e.code === "TOOL_MISSING") throw e;
    const hint =
      plugin === "vddk"
        ? "Install the nbdkit vddk plugin and VMware VDDK on this host, or use the http transport."
        : `Install the nbdkit ${plugin} plugin (run 'make deps').`;
    throw new V2kError("TOOL_MISSING", `the nbdkit ${plugin} plugin is not available`, hint, {
      detail: e instanceof V2kError ? (e.detail ?? e.message) : String(e),
    });
  }
}
