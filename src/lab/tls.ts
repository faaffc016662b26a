// The lab's self-signed certificate, generated with the openssl CLI into the lab dir and reused on
// restart (so pinned thumbprints stay valid). Its SAN covers the listen IP, 127.0.0.1, 127.0.0.2 and
// localhost, so a client may pin the thumbprint or pass the certificate as its CA file.
import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import { isIP } from "node:net";
import { exec } from "../kit/exec";

export interface LabTls {
  key: string;
  cert: string;
  certPath: string;
  /** SHA-1 of the DER certificate, colon-separated upper-case hex (vSphere's thumbprint format). */
  thumbprint: string;
}

export const CERT_FILE = "lab-cert.pem";
export const KEY_FILE = "lab-key.pem";

export function thumbprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint.toUpperCase();
}

function sanFor(host: string): string[] {
  const ips = new Set(["127.0.0.1", "127.0.0.2"]);
  const dns = new Set(["localhost"]);
  if (isIP(host)) ips.add(host);
  else if (host !== "") dns.add(host);
  return [...[...ips].map((ip) => `IP:${ip}`), ...[...dns].map((d) => `DNS:${d}`)];
}

function covers(certPem: string, host: string): boolean {
  const cert = new X509Certificate(certPem);
  if (new Date(cert.validTo).getTime() < Date.now() + 86400_000) return false;
  return isIP(host) ? cert.checkIP(host) !== undefined : cert.checkHost(host) !== undefined;
}

export async function ensureLabTls(dir: string, host: string): Promise<LabTls> {
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, "utf8");
    if (covers(cert, host)) return { key: readFileSync(keyPath, "utf8"), cert, certPath, thumbprint: thumbprintOf(cert) };
  }
  rmSync(certPath, { force: true });
  rmSync(keyPath, { force: true });
  await exec(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-sha256",
      "-days",
      "3650",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-subj",
      "/O=ablestack-v2k lab/CN=ablestack-v2k-lab",
      "-addext",
      `subjectAltName=${sanFor(host).join(",")}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
      "-addext",
      "extendedKeyUsage=serverAuth",
    ],
    { timeoutMs: 60_000 },
  );
  await chmod(keyPath, 0o600);
  const cert = readFileSync(certPath, "utf8");
  return { key: readFileSync(keyPath, "utf8"), cert, certPath, thumbprint: thumbprintOf(cert) };
}
