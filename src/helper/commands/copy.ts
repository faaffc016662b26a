// `ablestack_v2k copy --from URI --to URI`: hidden developer command that runs the copy engine
// between two NBD servers someone else started, so it can be measured against nbdcopy on the very
// same endpoints (test/bench/copy-vs-nbdcopy.sh). Repeated --from/--to pairs copy several disks at
// once in this one process, as sync does (test/bench/multi-disk.ts).
import { z } from "zod";
import { defineCommand, type CommandContext } from "../../kit/cli/command";
import { V2kError } from "../../shared/v2k-error";
import { NbdSource, NbdTarget, PooledSource, PooledTarget, type BlockSource, type BlockTarget } from "../endpoints/index";
import { copyDisk, COPY_DEFAULTS, MemoryBudget, PROCESS_COPY_BUDGET, processCopyBudget, type CopyStats } from "../engine/index";
import { sizeOption } from "../../kit/sizes";
import { NBD_READ_BUFFER_BYTES, parseNbdUri } from "../nbd/index";

const count = z.string().regex(/^\d+$/, "not a number").transform(Number);

const copySchema = z.object({
  from: z.array(z.string(), { required_error: "--from is required" }).min(1, "--from is required"),
  to: z.array(z.string(), { required_error: "--to is required" }).min(1, "--to is required"),
  jobs: count.pipe(z.number().int().min(1).max(16)).optional(),
  chunk: sizeOption("chunk").optional(),
  requests: count.pipe(z.number().int().min(1).max(1024)).optional(),
  "max-in-flight": sizeOption("max-in-flight").optional(),
  memory: sizeOption("memory").optional(),
  "target-unit": sizeOption("target-unit").optional(),
  "allocated-only": z.boolean().optional(),
  "no-extents": z.boolean().optional(),
  positionals: z.array(z.string()).max(0),
});

export const copyCommand = defineCommand({
  path: ["copy"],
  summary: "copy one NBD export to another with the copy engine (developer tool)",
  hidden: true,
  options: {
    from: {
      type: "string",
      multiple: true,
      description: "source NBD URI (nbd+unix:///EXPORT?socket=PATH or nbd://HOST:PORT/EXPORT)",
      valueName: "URI",
    },
    to: { type: "string", multiple: true, description: "target NBD URI, one per --from", valueName: "URI" },
    jobs: { type: "string", description: "NBD connections per side (default 1)", valueName: "N" },
    chunk: { type: "string", description: `bytes per request (default ${COPY_DEFAULTS.chunkSize / 1048576}M)`, valueName: "SIZE" },
    requests: { type: "string", description: `requests in flight per disk (default ${COPY_DEFAULTS.requests})`, valueName: "N" },
    "max-in-flight": {
      type: "string",
      description: `bytes in flight per disk (default ${COPY_DEFAULTS.maxBytesInFlight / 1048576}M)`,
      valueName: "SIZE",
    },
    memory: {
      type: "string",
      description: `copy memory all disks share: their buffers and ${NBD_READ_BUFFER_BYTES / 1048576}M per NBD connection (default ${PROCESS_COPY_BUDGET / 1048576}M)`,
      valueName: "SIZE",
    },
    "target-unit": {
      type: "string",
      description: "bytes the target allocates at once, e.g. 64K for a qcow2 image's clusters (default 4K)",
      valueName: "SIZE",
    },
    "allocated-only": { type: "boolean", description: "the target reads as zeros: copy allocated data only, never write zeros" },
    "no-extents": { type: "boolean", description: "do not ask the source for extents (read everything, detect zeros)" },
  },
  schema: copySchema,
  render: (data) => {
    const line = (s: CopyStats) =>
      `copied ${s.totalBytes} bytes in ${(s.durationMs / 1000).toFixed(1)} s (${s.mbPerSec} MB/s): ` +
      `${s.bytesWritten} written, ${s.bytesZeroed} zeroed, ${s.bytesSkipped} skipped`;
    const d = data as CopyStats | { disks: CopyStats[] };
    return "disks" in d ? d.disks.map((s, i) => `disk ${i}: ${line(s)}`).join("\n") : line(d);
  },
  async run(o, ctx) {
    if (o.from.length !== o.to.length) {
      throw new V2kError("USAGE", `${o.from.length} --from but ${o.to.length} --to`, "Give one --to for every --from.");
    }
    const budget = o.memory !== undefined ? new MemoryBudget(o.memory) : processCopyBudget;
    const disks = await Promise.all(o.from.map((from, i) => copyPair(o, from, o.to[i]!, i, budget, ctx)));
    return disks.length === 1 ? disks[0]! : { disks };
  },
});

type CopyArgs = z.output<typeof copySchema>;

/** One --from/--to pair: connections per side, the engine, then every connection closed. */
async function copyPair(
  o: CopyArgs,
  fromUri: string,
  toUri: string,
  disk: number,
  budget: MemoryBudget,
  ctx: CommandContext,
): Promise<CopyStats> {
  const jobs = o.jobs ?? 1;
  const from = parseNbdUri(fromUri);
  const to = parseNbdUri(toUri);
  const sources: BlockSource[] = [];
  const targets: BlockTarget[] = [];
  try {
    for (let i = 0; i < jobs; i++) {
      sources.push(await NbdSource.connect({ ...from, wantExtents: i === 0 }, { label: fromUri }));
      const unit = o["target-unit"] !== undefined ? { allocationUnit: o["target-unit"] } : {};
      targets.push(await NbdTarget.connect({ ...to, wantExtents: false }, { label: toUri, ...unit }));
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
      budget,
      disk: `disk ${disk}`,
      signal: ctx.signal,
      onProgress: (p) => ctx.emitter.emit({ type: "progress", step: "copy", disk, ...p }),
    });
  } finally {
    await Promise.allSettled([...sources, ...targets].map((e) => e.close()));
  }
}
