// The libvirt secret that carries a cephx key for <auth> in the domain XML. The key goes to virsh in
// a 0600 file inside a 0700 directory (secret-set-value --file, libvirt >= 7), removed right after:
// never argv, never the XML. One secret per run, its uuid kept in the manifest.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Virsh } from "../../libvirt/virsh";

export function secretXml(uuid: string, cephId: string, runId: string): string {
  const usage = `ablestack-v2k ${runId} client.${cephId}`;
  return (
    `<secret ephemeral='no' private='yes'>\n  <uuid>${uuid}</uuid>\n  <description>${usage}</description>\n` +
    `  <usage type='ceph'><name>${usage}</name></usage>\n</secret>\n`
  );
}

/** Defines (or redefines) the secret and sets its value; idempotent for the same uuid. */
export async function defineCephSecret(virsh: Virsh, uuid: string, cephId: string, runId: string, key: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "v2k-secret-"));
  try {
    const xmlFile = join(dir, "secret.xml");
    writeFileSync(xmlFile, secretXml(uuid, cephId, runId), { mode: 0o600 });
    await virsh.run(["secret-define", xmlFile]);
    const keyFile = join(dir, "key");
    writeFileSync(keyFile, key, { mode: 0o600 });
    await virsh.run(["secret-set-value", "--secret", uuid, "--file", keyFile]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Removes the secret; no error when it is gone already. */
export async function undefineCephSecret(virsh: Virsh, uuid: string): Promise<boolean> {
  const list = await virsh.run(["secret-list"]);
  if (!list.includes(uuid)) return false;
  await virsh.run(["secret-undefine", uuid]);
  return true;
}
