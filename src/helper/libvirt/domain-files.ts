// Where a KVM domain's own files live, beside its disks (cutover writes them, rollback removes them,
// a retried sync reads the console log).
import { join } from "node:path";
import { type Manifest } from "../../shared/manifest";

/**
 * Where the domain's per-VM files live: beside its disks, so removing a workdir never breaks it. The UEFI
 * variable store is libvirt's own now (firmware autoselection); `nvram` is where earlier versions kept it.
 */
export function domainFiles(m: Manifest, name: string): { nvram: string; consoleLog: string; xml: string } {
  return {
    nvram: join(m.target.dir, `${name}_VARS.fd`),
    consoleLog: join(m.target.dir, `${name}.console.log`),
    xml: join(m.target.dir, `${name}.xml`),
  };
}
