import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { readManifest, requireWorkdirPath } from "../state/index";
import { statusOf, renderStatus, type RunStatus } from "../sync/status";
import { slotWaiters } from "../../kit/slots";
import { hostCopyLimits } from "../config/host-config";
import { describeBusy } from "../sync/copy-slots";

export const statusCommand = defineCommand({
  path: ["status"],
  summary: "phase, per-disk synced changeId and bytes, last round figures",
  options: {},
  schema: z.object({ positionals: z.array(z.string()).max(0) }),
  render: (data) => renderStatus(data as RunStatus),
  async run(_o, ctx) {
    // read-only: no lock, so status works while a sync runs
    const dir = requireWorkdirPath(ctx.global.workdir);
    const waiting = slotWaiters(hostCopyLimits().slotsDir)
      .filter((w) => w["workdir"] === dir)
      .map((w) => ({ disk: Number(w["disk"]), since: w.since, for: describeBusy(w.for) }));
    return { ...statusOf(dir, readManifest(dir).manifest), waiting };
  },
});

