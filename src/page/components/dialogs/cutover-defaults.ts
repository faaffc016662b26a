// What the cutover dialog proposes: a guest shutdown needs VMware Tools, which init found running or not.
import { type Manifest } from "../../../shared/manifest";

export function defaultShutdown(manifest: Manifest): "guest" | "poweroff" {
  // an older manifest does not say: the guest shutdown stays the default (the helper reports its failure)
  return manifest.vm.toolsRunningAtInit === false ? "poweroff" : "guest";
}
