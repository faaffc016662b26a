import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { CephCli, poolsWithSpace } from "../storage/rbd/index";
import { storageNetworksDecls, storagePoolsDecls } from "../../shared/requests/commands";
import { hostNetworkChoices } from "../libvirt/networks";
import { Virsh, libvirtUri } from "../libvirt/virsh";
import { resolveNetworkDefault } from "../cutover/network-default";
import { optionSpecs, zodFields } from "../../shared/requests/option";

/** Read-only: the Ceph pools an RBD target can use, with the space each can still take. */
export const storagePoolsCommand = defineCommand({
  path: ["storage", "pools"],
  summary: "list the Ceph pools (RBD targets) and their free space",
  options: optionSpecs(storagePoolsDecls),
  schema: z.object({ ...zodFields(storagePoolsDecls), positionals: z.array(z.string()).max(0) }),
  render: (data) =>
    (data as { pools: { name: string; maxAvailBytes: number }[] }).pools
      .map((p) => `${p.name}\t${(p.maxAvailBytes / 2 ** 30).toFixed(1)} GiB free`)
      .join("\n"),
  async run(o, ctx) {
    const pools = await poolsWithSpace(new CephCli({ conf: o["ceph-conf"], id: o["ceph-id"] }), ctx.signal);
    return { conf: o["ceph-conf"], pools };
  },
});

/** Read-only: where a VM's NICs can go on this host (libvirt networks, Linux bridges) and the host default. */
export const storageNetworksCommand = defineCommand({
  path: ["storage", "networks"],
  summary: "list the host's libvirt networks and Linux bridges (targets of --network-map) and the default",
  options: optionSpecs(storageNetworksDecls),
  schema: z.object({ ...zodFields(storageNetworksDecls), positionals: z.array(z.string()).max(0) }),
  render: (data) => {
    const r = data as { networks: { name: string; active: boolean }[]; bridges: string[]; default: string | null };
    return [
      ...r.networks.map((n) => `network:${n.name}\t${n.active ? "active" : "inactive"}`),
      ...r.bridges.map((b) => `bridge:${b}\tbridge`),
      `default: ${r.default ?? "(none)"}`,
    ].join("\n");
  },
  async run(o, ctx) {
    const virsh = new Virsh({ uri: libvirtUri(o.connect), signal: ctx.signal, timeoutMs: 20_000 });
    const choices = await hostNetworkChoices(virsh);
    const found = await resolveNetworkDefault(virsh);
    const def = found && !("ambiguous" in found) ? found : null;
    return { ...choices, default: def ? normalizeTarget(def.target) : null, defaultSource: def?.source ?? null };
  },
});

/** "br0" -> "bridge:br0": one spelling per target, so the page can preselect it. */
function normalizeTarget(text: string): string {
  return /^(bridge|network):/.test(text) ? text : `bridge:${text}`;
}
