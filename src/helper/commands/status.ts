import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { readManifest, requireWorkdirPath } from "../state/index";
import { statusOf, renderStatus, type RunStatus } from "../sync/status";
import { slotWaitsOf } from "../sync/copy-slots";
import { defaultWorkdirRoot } from "../state/workdir";
import { findWorkdirs } from "../state/workdir-scan";

/** One workdir's status with its disk copies waiting for host slots right now. */
function workdirStatus(dir: string): RunStatus {
  return { ...statusOf(dir, readManifest(dir).manifest), waiting: slotWaitsOf(dir) };
}

export const statusCommand = defineCommand({
  path: ["status"],
  summary: "phase, per-disk synced changeId and bytes, last round figures (--vm a,b: those VMs' migrations on this host)",
  options: {
    vm: { type: "string", valueName: "NAME[,NAME...]", description: "every migration of these VMs under the workdir root" },
  },
  schema: z.object({ vm: z.string().min(1).optional(), positionals: z.array(z.string()).max(0) }),
  render: (data) => {
    const d = data as RunStatus | { migrations: RunStatus[] };
    return "migrations" in d ? d.migrations.map((s) => `${renderStatus(s)}\n  workdir ${s.workdir}`).join("\n") : renderStatus(d);
  },
  async run(o, ctx) {
    // read-only: no lock, so status works while a sync runs
    if (o.vm !== undefined && !ctx.global.workdir) {
      const names = new Set(o.vm.split(",").map((n) => n.trim()));
      const dirs = await findWorkdirs(defaultWorkdirRoot());
      const migrations: RunStatus[] = [];
      for (const dir of dirs) {
        try {
          const s = workdirStatus(dir);
          if (names.has(s.vm)) migrations.push(s);
        } catch {
          /* unreadable workdirs are 'list's to report */
        }
      }
      return { migrations };
    }
    return workdirStatus(requireWorkdirPath(ctx.global.workdir));
  },
});
