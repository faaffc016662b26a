import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { CephCli, poolsWithSpace } from "../storage/rbd/index";
import { storagePoolsDecls } from "../../shared/requests/commands";
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
