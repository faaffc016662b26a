// TLS trust for vCenter: fetch the server certificate ourselves and compare its SHA-1 thumbprint
// with the pinned one. Nothing is trusted on first use: an unknown certificate is TLS_UNTRUSTED and
// the hint shows what we saw so the operator can verify and pin it.
import { connect } from "node:tls";
import { X509Certificate } from "node:crypto";
import { V2kError } from "../../shared/v2k-error";

export interface ServerCertificate {
  thumbprint: string; // SHA-1, colon separated, upper case
  pem: string;
}

export function normalizeThumbprint(t: string): string {
  const hex = t.replace(/[^0-9a-fA-F]/g, "").toUpperCase();
  return hex.match(/.{2}/g)?.join(":") ?? "";
}

export async function fetchServerCertificate(host: string, port: number, timeoutMs = 10_000): Promise<ServerCertificate> {
  return new Promise((resolve, reject) => {
    const unreachable = (why: string) =>
      new V2kError(
        "VCENTER_UNREACHABLE",
        `cannot reach vCenter at ${host}:${port}: ${why}`,
        "Check the URL (GOVC_URL / --vcenter), DNS, routing and firewall from this host to port " + port + ".",
      );
    const socket = connect({ host, port, rejectUnauthorized: false, servername: isIp(host) ? undefined : host, timeout: timeoutMs }, () => {
      const raw = socket.getPeerCertificate(false)?.raw;
      socket.destroy();
      if (!raw) return reject(unreachable("the server sent no certificate"));
      const cert = new X509Certificate(raw);
      resolve({ thumbprint: normalizeThumbprint(cert.fingerprint), pem: cert.toString() });
    });
    socket.on("timeout", () => {
      socket.destroy();
      reject(unreachable(`no TLS answer within ${timeoutMs} ms`));
    });
    socket.on("error", (e) => reject(unreachable((e as NodeJS.ErrnoException).code ?? e.message)));
  });
}

function isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(":");
}

/** Check the pinned thumbprint against the server's certificate; returns the certificate seen. */
export async function verifyServerTrust(
  host: string,
  port: number,
  pinned: string | undefined,
  insecure: boolean,
): Promise<ServerCertificate> {
  const cert = await fetchServerCertificate(host, port);
  if (insecure) return cert;
  if (!pinned) {
    throw new V2kError(
      "TLS_UNTRUSTED",
      `vCenter ${host}:${port} presented a certificate that is not pinned`,
      `Verify the thumbprint out of band and pin it: a '${host}${port === 443 ? "" : `:${port}`} ${cert.thumbprint}' line in the GOVC_TLS_KNOWN_HOSTS file ` +
        `(govc about.cert -k -thumbprint prints it), or GOVC_THUMBPRINT=${cert.thumbprint} (or --thumbprint). GOVC_INSECURE=1 or --insecure skips verification.`,
      { detail: `seen thumbprint ${cert.thumbprint}` },
    );
  }
  if (normalizeThumbprint(pinned) !== cert.thumbprint) {
    throw new V2kError(
      "TLS_UNTRUSTED",
      `vCenter ${host}:${port} certificate thumbprint ${cert.thumbprint} differs from the pinned ${normalizeThumbprint(pinned)}`,
      `The certificate changed or someone is in the middle. If ${cert.thumbprint} is right, update the GOVC_TLS_KNOWN_HOSTS line (or GOVC_THUMBPRINT).`,
      { detail: `seen thumbprint ${cert.thumbprint}` },
    );
  }
  return cert;
}
