// `lab build-images`: builds the lab's guest images that take minutes (linux01's Debian system) once
// per machine, so `lab start` only imports them. Without a built image the default scenario leaves
// linux01 out and says so.
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { buildLinux01Image, type ImageBuildResult } from "../guest-image/linux01";

export const labBuildImagesCommand = defineCommand({
  path: ["lab", "build-images"],
  summary: "build the lab's cached guest images (linux01: Debian 12 from Debian packages) unless current",
  options: { force: { type: "boolean", description: "rebuild even when the cached image is current" } },
  schema: z.object({ positionals: z.array(z.string()).max(0), force: z.boolean().default(false) }),
  render: (d) => {
    const r = d as ImageBuildResult;
    return r.built ? `linux01 built in ${r.seconds.toFixed(0)} s: ${r.path} (log ${r.log})` : `linux01 is current: ${r.path}`;
  },
  async run(o, ctx) {
    return buildLinux01Image({ force: o.force, signal: ctx.signal });
  },
});
