// Shared helpers for the lab model tests: temp lab dirs that are always removed, coverage checks.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { openLabModel, type LabModel, type ChangedAreas } from "../../../src/lab/model/index";

export async function withLab<T>(scenario: string, fn: (model: LabModel, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "v2k-labmodel-"));
  let model: LabModel | undefined;
  try {
    model = await openLabModel(dir, { scenario });
    return await fn(model, dir);
  } finally {
    await model?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** All pages of QCDA from offset 0 until the capacity is covered; checks the pages chain up. */
export async function allChangedAreas(
  model: LabModel,
  vm: string,
  snapshot: string | null,
  diskKey: number,
  changeId: string,
  capacity: number,
): Promise<{ pages: ChangedAreas[]; areas: { start: number; length: number }[] }> {
  const pages: ChangedAreas[] = [];
  let offset = 0;
  while (offset < capacity) {
    const page = await model.queryChangedDiskAreas(vm, snapshot, diskKey, offset, changeId);
    if (page.startOffset !== offset || page.length <= 0) throw new Error(`bad page ${JSON.stringify(page)} at ${offset}`);
    for (const a of page.changedArea) {
      if (a.start < offset || a.start + a.length > offset + page.length) throw new Error(`area outside its page: ${JSON.stringify(a)}`);
    }
    pages.push(page);
    offset += page.length;
  }
  if (offset !== capacity) throw new Error(`pages end at ${offset}, capacity ${capacity}`);
  return { pages, areas: pages.flatMap((p) => p.changedArea) };
}

/** True when [start, start+length) lies inside the union of the areas. */
export function covered(areas: { start: number; length: number }[], start: number, length: number): boolean {
  const sorted = [...areas].sort((a, b) => a.start - b.start);
  let pos = start;
  for (const a of sorted) {
    if (a.start > pos) break;
    pos = Math.max(pos, a.start + a.length);
    if (pos >= start + length) return true;
  }
  return pos >= start + length;
}

export async function sha256OfFile(read: (s: number, e: number) => Promise<Buffer>, size: number): Promise<string> {
  const h = createHash("sha256");
  const chunk = 8 * 1024 * 1024;
  for (let s = 0; s < size; s += chunk) h.update(await read(s, Math.min(size, s + chunk)));
  return h.digest("hex");
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
