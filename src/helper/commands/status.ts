import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { readManifest, requireWorkdirPath } from "../state/index";
import { statusOf, renderStatus, type RunStatus } from "../sync/status";

export const statusCommand = defineCommand({
  path: ["status"],
  summary: "phase, per-disk synced changeId and bytes, last round figures",
  options: {},
  schema: z.object({ positionals: z.array(z.string()).max(0) }),
  render: (data) => renderStatus(data as RunStatus),
  async run(_o, ctx) {
    // read-only: no lock, so status works while a sync runs
    const dir = requireWorkdirPath(ctx.global.workdir);
    return statusOf(dir, readManifest(dir).manifest);
  },
});
