import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { TOOL_VERSION } from "../version";

export const versionCommand = defineCommand({
  path: ["version"],
  summary: "print the helper's version",
  options: {},
  schema: z.object({ positionals: z.array(z.string()).max(0) }),
  render: (data) => (data as { version: string }).version,
  async run() {
    return { version: TOOL_VERSION, node: process.version };
  },
});
