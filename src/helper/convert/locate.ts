// The conversion tools on this host: virt-v2v-in-place through the host's tool locator (libexec on
// EL, /usr/bin on Debian, $ABLESTACK_V2K_VIRT_V2V_IN_PLACE), virtio-win in $VIRTIO_WIN or its package's directory.
import { existsSync } from "node:fs";
import { VIRTIO_WIN_DIRS, locateTool } from "../host/tools";

export function locateVirtV2vInPlace(env: NodeJS.ProcessEnv = process.env): string | null {
  return locateTool("virt-v2v-in-place", env);
}

/** $VIRTIO_WIN (a directory or an ISO) or the virtio-win package's directory. */
export function locateVirtioWin(env: NodeJS.ProcessEnv = process.env, exists = existsSync): string | null {
  if (env.VIRTIO_WIN) return exists(env.VIRTIO_WIN) ? env.VIRTIO_WIN : null;
  return VIRTIO_WIN_DIRS.find((p) => exists(p)) ?? null;
}
