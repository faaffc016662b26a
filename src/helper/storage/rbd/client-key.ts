// The cephx key of a client, read from the keyring its ceph.conf names (ceph-conf + ceph-authtool):
// the key travels through stdout into memory only, never argv; no monitor capability is needed.
import { exec } from "../../../kit/exec";
import { V2kError } from "../../../shared/v2k-error";
import { type CephAccess } from "./ceph-cli";

/** The auth the conf asks clients for: "cephx" unless auth_client_required says only none. */
export async function clientAuth(access: CephAccess): Promise<"cephx" | "none"> {
  const r = await exec("ceph-conf", ["-c", access.conf, "--name", `client.${access.id}`, "--lookup", "auth_client_required"], {
    timeoutMs: 20_000,
    okCodes: [0, 1],
  });
  const value = r.exitCode === 0 ? r.stdout.trim() : "cephx";
  return value.split(/[\s,]+/).includes("cephx") ? "cephx" : "none";
}

export async function clientKey(access: CephAccess): Promise<string> {
  const name = `client.${access.id}`;
  const kr = await exec("ceph-conf", ["-c", access.conf, "--name", name, "--lookup", "keyring"], { timeoutMs: 20_000, okCodes: [0, 1] });
  const candidates =
    kr.exitCode === 0
      ? kr.stdout
          .trim()
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : [];
  for (const keyring of candidates) {
    const r = await exec("ceph-authtool", [keyring, "-n", name, "-p"], { timeoutMs: 20_000, okCodes: [0, 1, 2, 255] }).catch(() => null);
    const key = r?.exitCode === 0 ? r.stdout.trim() : "";
    if (/^[A-Za-z0-9+/=]{20,}$/.test(key)) return key;
  }
  throw new V2kError(
    "CEPH_UNREACHABLE",
    `no cephx key for ${name} in the keyring named by ${access.conf}`,
    "Give the client's keyring in the conf ('keyring = ...' under [global] or [client.NAME]) or pick another --ceph-id.",
  );
}
