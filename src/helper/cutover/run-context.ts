// What the post-sync commands (cutover, verify, rollback, cleanup) open before they act: the locked
// workdir, a vSphere bridge logged in with the manifest's vCenter (password from env/file/stdin),
// and virsh on the chosen libvirt URI. Everything is closed again, whatever happens.
import { type CommandContext } from "../cli/command";
import { resolveVcenterAccess, type VcenterFlags } from "../config/index";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { requireWorkdirPath, withWorkdir, type Workdir } from "../state/index";
import { withBridge, type VsphereBridge } from "../vsphere/index";

export interface OpenedRun {
  wd: Workdir;
  virsh: Virsh;
}

export async function withRun<T>(ctx: CommandContext, command: string, connect: string | undefined, fn: (r: OpenedRun) => Promise<T>): Promise<T> {
  const path = requireWorkdirPath(ctx.global.workdir);
  return withWorkdir(path, ctx.emitter, command, (wd) => fn({ wd, virsh: new Virsh({ uri: libvirtUri(connect), signal: ctx.signal }) }));
}

/** Log in to the manifest's vCenter (flags may override URL, user and trust; the password is never stored). */
export async function withSourceBridge<T>(ctx: CommandContext, wd: Workdir, flags: VcenterFlags, fn: (b: VsphereBridge) => Promise<T>): Promise<T> {
  const v = wd.manifest.vcenter;
  const access = await resolveVcenterAccess(flags, { env: process.env, readStdin: ctx.readStdin }, {
    url: v.url,
    username: v.username,
    thumbprint: v.thumbprint,
    insecure: v.insecure,
  });
  return withBridge(access, fn, { signal: ctx.signal });
}
