// RBD pools and images as typed calls: free space per pool, image size, create/remove, and the
// image metadata that marks an image as created by one run (so --force and rollback touch only ours).
import { z } from "zod";
import { V2kError } from "../../../shared/v2k-error";
import { type CephCli } from "./ceph-cli";

/** Metadata key holding the run id of the migration that created the image. */
export const RUN_ID_META_KEY = "ablestack-v2k.run-id";

export interface PoolSpace {
  name: string;
  /** Bytes the pool can still take (Ceph's MAX AVAIL, replication included). */
  maxAvailBytes: number;
  storedBytes: number;
}

const DfReply = z.object({
  pools: z.array(z.object({ name: z.string(), stats: z.object({ max_avail: z.number(), stored: z.number().optional() }) })),
});

export async function poolsWithSpace(cli: CephCli, signal?: AbortSignal): Promise<PoolSpace[]> {
  const r = await cli.ceph(["df", "--format", "json"], signal ? { signal } : {});
  const df = DfReply.parse(JSON.parse(r.stdout));
  return df.pools.map((p) => ({ name: p.name, maxAvailBytes: p.stats.max_avail, storedBytes: p.stats.stored ?? 0 }));
}

export async function requirePool(cli: CephCli, pool: string): Promise<PoolSpace> {
  const found = (await poolsWithSpace(cli)).find((p) => p.name === pool);
  if (!found) {
    throw new V2kError(
      "RBD_POOL_MISSING",
      `the Ceph pool '${pool}' does not exist`,
      "Create it ('ceph osd pool create') or give another --rbd-pool.",
    );
  }
  return found;
}

/** Image size in bytes, or null when the pool has no image of that name. */
export async function imageSize(cli: CephCli, pool: string, image: string): Promise<number | null> {
  const r = await cli.rbd(["info", "--format", "json", `${pool}/${image}`], { okCodes: [0, 2] });
  if (r.exitCode === 2) return null;
  return z.object({ size: z.number() }).parse(JSON.parse(r.stdout)).size;
}

export async function imageRunId(cli: CephCli, pool: string, image: string): Promise<string | null> {
  const r = await cli.rbd(["image-meta", "get", `${pool}/${image}`, RUN_ID_META_KEY], { okCodes: [0, 2] });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/** Creates a thin image and marks it with the run id (format 2, the default features). */
export async function createImage(cli: CephCli, pool: string, image: string, sizeBytes: number, runId: string): Promise<void> {
  await cli.rbd(["create", "--size", `${sizeBytes}B`, `${pool}/${image}`], { timeoutMs: 120_000 });
  await cli.rbd(["image-meta", "set", `${pool}/${image}`, RUN_ID_META_KEY, runId]);
}

export async function removeImage(cli: CephCli, pool: string, image: string): Promise<void> {
  await cli.rbd(["rm", "--no-progress", `${pool}/${image}`], { timeoutMs: 600_000 });
}

/**
 * Removes the image only when it carries this run's id. Returns what happened; an image of another run
 * or of nobody we know is never touched.
 */
export async function removeOwnImage(cli: CephCli, pool: string, image: string, runId: string): Promise<"removed" | "absent" | "foreign"> {
  if ((await imageSize(cli, pool, image)) === null) return "absent";
  if ((await imageRunId(cli, pool, image)) !== runId) return "foreign";
  await removeImage(cli, pool, image);
  return "removed";
}

export async function listImages(cli: CephCli, pool: string): Promise<string[]> {
  const r = await cli.rbd(["ls", "--format", "json", pool]);
  return z.array(z.string()).parse(JSON.parse(r.stdout));
}

/** Bytes the image really holds (rbd du; exact and fast with the default fast-diff feature). */
export async function imageUsedBytes(cli: CephCli, pool: string, image: string): Promise<number> {
  const r = await cli.rbd(["du", "--format", "json", `${pool}/${image}`], { timeoutMs: 300_000 });
  const du = z.object({ images: z.array(z.object({ name: z.string(), used_size: z.number() })) }).parse(JSON.parse(r.stdout));
  return du.images.find((i) => i.name === image)?.used_size ?? 0;
}

/**
 * Before a copy: create the image (marked with the run id) when it is missing. Returns true when the
 * image holds no data yet (it reads as zeros: the copy may skip zero areas), false after a crash or a
 * previous round left data in it.
 */
export async function ensureRunImage(
  cli: CephCli,
  pool: string,
  image: string,
  sizeBytes: number,
  runId: string,
): Promise<{ empty: boolean }> {
  if ((await imageSize(cli, pool, image)) === null) {
    await createImage(cli, pool, image, sizeBytes, runId);
    return { empty: true };
  }
  return { empty: (await imageUsedBytes(cli, pool, image)) === 0 };
}
