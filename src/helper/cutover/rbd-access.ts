// The Ceph side of a domain with RBD disks: monitors from the run's ceph.conf and, when the conf asks
// for cephx, a libvirt secret holding the client's key (defined here, its uuid kept in the manifest;
// the key itself goes nowhere else). Rollback and cleanup undefine that secret.
import { randomUUID } from "node:crypto";
import { type Manifest } from "../../shared/manifest";
import { type Virsh } from "../libvirt/virsh";
import { type Workdir } from "../state/index";
import { cephAccessOf, clientAuth, clientKey, defineCephSecret, monitorHosts, undefineCephSecret } from "../storage/rbd/index";
import { type RbdDomainAccess } from "../libvirt/domain-policy";

export function hasRbdDisks(m: Pick<Manifest, "disks">): boolean {
  return m.disks.some((d) => d.target.mode === "rbd");
}

/** Monitors and (cephx) the secret for the domain XML; undefined when no disk is on RBD. */
export async function rbdDomainAccess(wd: Workdir, virsh: Virsh): Promise<RbdDomainAccess | undefined> {
  if (!hasRbdDisks(wd.manifest)) return undefined;
  const access = cephAccessOf(wd.manifest);
  const hosts = await monitorHosts(access.conf);
  if ((await clientAuth(access)) === "none") return { hosts };
  const secretUuid = wd.manifest.target.ceph?.secretUuid ?? randomUUID();
  if (wd.manifest.target.ceph?.secretUuid !== secretUuid) {
    // recorded before it exists, so an interrupted cutover's rollback still finds it
    await wd.update((m) => {
      m.target.ceph!.secretUuid = secretUuid;
    });
  }
  await defineCephSecret(virsh, secretUuid, access.id, wd.manifest.runId, await clientKey(access));
  return { hosts, auth: { username: access.id, secretUuid } };
}

/** Undefines the run's secret, if any; true when one was removed. */
export async function removeRbdSecret(m: Manifest, virsh: Virsh): Promise<boolean> {
  const uuid = m.target.ceph?.secretUuid;
  return uuid !== undefined ? undefineCephSecret(virsh, uuid) : false;
}
