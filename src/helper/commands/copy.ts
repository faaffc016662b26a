// `ablestack_v2k copy --from URI --to URI`: hidden developer command that runs the copy engine
// between two NBD servers someone else started, so it can be measured against nbdcopy on the very
// same endpoints (test/bench/copy-vs-nbdcopy.sh).
import { z } from "zod";
import { defineCommand } from "../../kit/cli/command";
import { V2kError } from "../../shared/v2k-error";
import { NbdSource, NbdTarget, PooledSource, PooledTarget, type BlockSource, type BlockTarget } from "../endpoints/index";
import { copyDisk, COPY_DEFAULTS } from "../engine/index";
import { sizeOption } from "../../kit/sizes";
import { parseNbdUri } from "../nbd/index";

const count = z.string().regex(/^\d+$/, "not a number").transform(Number);

export const copyCommand = defineCommand({
  path: ["copy"],
  summary: "copy one NBD export to another with the copy engine (developer tool)",
  hidden: true,
  options: {
    from: { type: "string", description: "source NBD URI (nbd+unix:///EXPORT?socket=PATH or nbd://HOST:PORT/EXPORT)", valueName: "URI" },
    to: { type: "string", description: "target NBD URI", valueName: "URI" },
    jobs: { type: "string", description: "NBD connections per side (default 1)", valueName: "N" },
    chunk: { type: "string", description: `bytes per request (default ${COPY_DEFAULTS.chunkSize / 1048576}M)`, valueName: "SIZE" },
    requests: { type: "string", description: `requests in flight (default ${COPY_DEFAULTS.requests})`, valueName: "N" },
    "max-in-flight": {
      type: "string",
      description: `bytes in flight (default ${COPY_DEFAULTS.maxBytesInFlight / 1048576}M)`,
      valueName: "SIZE",
    },
    "allocated-only": { type: "boolean", description: "the target reads as zeros: copy allocated data only, never write zeros" },
    "no-extents": { type: "boolean", description: "do not ask the source for extents (read everything, detect zeros)" },
  },
  schema: z.object({
    from: z.string({ required_error: "--from is required" }),
    to: z.string({ required_error: "--to is required" }),
    jobs: count.pipe(z.number().int().min(1).max(16)).optional(),
    chunk: sizeOption("chunk").optional(),
    requests: count.pipe(z.number().int().min(1).max(1024)).optional(),
    "max-in-flight": sizeOption("max-in-flight").optional(),
    "allocated-only": z.boolean().optional(),
    "no-extents": z.boolean().optional(),
    positionals: z.array(z.string()).max(0),
  }),
  render: (data) => {
    const s = data as {
      totalBytes: number;
      durationMs: number;
      mbPerSec: number;
      bytesWritten: number;
      bytesZeroed: number;
      bytesSkipped: number;
    };
    return `copied ${s.totalBytes} bytes in ${(s.durationMs / 1000).toFixed(1)} s (${s.mbPerSec} MB/s): ${s.bytesWritten} written, ${s.bytesZeroed} zeroed, ${s.bytesSkipped} skipped`;
  },
  async run(o, ctx) {
    const jobs = o.jobs ?? 1;
    const from = parseNbdUri(o.from);
    const to = parseNbdUri(o.to);
    const sources: BlockSource[] = [];
    const targets: BlockTarget[] = [];
    try {
      for (let i = 0; i < jobs; i++) {
        sources.push(await NbdSource.connect({ ...from, wantExtents: i === 0 }, { label: o.from }));
        targets.push(await NbdTarget.connect({ ...to, wantExtents: false }, { label: o.to }));
      }
      const source = jobs === 1 ? sources[0]! : new PooledSource(sources);
      const target = jobs === 1 ? targets[0]! : new PooledTarget(targets);
      if (target.size < source.size) {
        throw new V2kError(
          "DST_TOO_SMALL",
          `the target (${target.size} bytes) is smaller than the source (${source.size} bytes)`,
          "Use a target at least as large as the source.",
        );
      }
      return await copyDisk({
        source,
        target,
        areas: [{ offset: 0, length: source.size }],
        targetIsZero: o["allocated-only"] ?? false,
        useSourceExtents: !(o["no-extents"] ?? false),
        ...(o.chunk !== undefined ? { chunkSize: o.chunk } : {}),
        ...(o.requests !== undefined ? { requests: o.requests } : {}),
        ...(o["max-in-flight"] !== undefined ? { maxBytesInFlight: o["max-in-flight"] } : {}),
        disk: "disk",
        signal: ctx.signal,
        onProgress: (p) => ctx.emitter.emit({ type: "progress", step: "copy", disk: 0, ...p }),
      });
    } finally {
      await Promise.allSettled([...sources, ...targets].map((e) => e.close()));
    }
  },
});
