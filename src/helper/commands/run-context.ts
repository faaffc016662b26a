// What the post-sync commands (cutover, verify, rollback, cleanup) open before they act: the locked
// workdir, a vSphere session logged in with the manifest's vCenter (password from env/file/stdin),
// and virsh on the chosen libvirt URI. Everything is closed again, whatever happens.
import { type CommandContext } from "../../kit/cli/command";
import { type VcenterFlags } from "../config/vcenter-access";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { requireWorkdirPath, withWorkdir, type Workdir } from "../state/index";
import { withVsphere, type VsphereSession } from "../vsphere/session";

export interface OpenedRun {
  wd: Workdir;
  virsh: Virsh;
}

export async function withRun<T>(
  ctx: CommandContext,
  command: string,
  connect: string | undefined,
  fn: (r: OpenedRun) => Promise<T>,
): Promise<T> {
  const path = requireWorkdirPath(ctx.global.workdir);
  return withWorkdir(path, ctx.emitter, command, (wd) => fn({ wd, virsh: new Virsh({ uri: libvirtUri(connect), signal: ctx.signal }) }));
}

/** Log in to the manifest's vCenter (flags may override URL, user and trust; the password is never stored). */
export async function withSourceSession<T>(
  ctx: CommandContext,
  wd: Workdir,
  flags: VcenterFlags,
  fn: (s: VsphereSession) => Promise<T>,
): Promise<T> {
  return withVsphere(flags, { readStdin: ctx.readStdin, signal: ctx.signal }, wd.manifest.vcenter, fn);
}
