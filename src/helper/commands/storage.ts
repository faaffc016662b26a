import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { CephCli, DEFAULT_CEPH_CONF, DEFAULT_CEPH_ID, poolsWithSpace } from "../storage/rbd/index";

/** Read-only: the Ceph pools an RBD target can use, with the space each can still take. */
export const storagePoolsCommand = defineCommand({
  path: ["storage", "pools"],
  summary: "list the Ceph pools (RBD targets) and their free space",
  options: {
    "ceph-conf": { type: "string", valueName: "FILE", description: "ceph.conf (default /etc/ceph/ceph.conf)" },
    "ceph-id": { type: "string", valueName: "NAME", description: "Ceph client id without 'client.' (default admin)" },
  },
  schema: z.object({
    "ceph-conf": z.string().min(1).default(DEFAULT_CEPH_CONF),
    "ceph-id": z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/)
      .default(DEFAULT_CEPH_ID),
    positionals: z.array(z.string()).max(0),
  }),
  render: (data) =>
    (data as { pools: { name: string; maxAvailBytes: number }[] }).pools
      .map((p) => `${p.name}\t${(p.maxAvailBytes / 2 ** 30).toFixed(1)} GiB free`)
      .join("\n"),
  async run(o, ctx) {
    const pools = await poolsWithSpace(new CephCli({ conf: o["ceph-conf"], id: o["ceph-id"] }), ctx.signal);
    return { conf: o["ceph-conf"], pools };
  },
});
