// Per-file allocation maps at the lab's fixed grain size, and the extent lists QCDA pages over.
import { type ChangedAreas } from "./types";

/** Granularity of delta allocation and of change tracking (64 KiB, as a VMFS sparse grain cluster). */
export const GRAIN = 64 * 1024;

export function grainCount(capacityBytes: number): number {
  return Math.ceil(capacityBytes / GRAIN);
}

export class GrainMap {
  constructor(readonly bits: Uint8Array) {}

  static empty(grains: number): GrainMap {
    return new GrainMap(new Uint8Array(Math.ceil(grains / 8)));
  }

  has(g: number): boolean {
    return ((this.bits[g >> 3] ?? 0) & (1 << (g & 7))) !== 0;
  }

  set(g: number): void {
    this.bits[g >> 3] = (this.bits[g >> 3] ?? 0) | (1 << (g & 7));
  }

  /** True when no grain in [first, last] is set (fast path over whole zero bytes). */
  noneIn(first: number, last: number): boolean {
    for (let g = first; g <= last;) {
      if ((g & 7) === 0 && g + 7 <= last && this.bits[g >> 3] === 0) {
        g += 8;
        continue;
      }
      if (this.has(g)) return false;
      g++;
    }
    return true;
  }
}

/**
 * One QCDA page: merged extents of grains for which `isSet` holds, clipped to [startOffset, capacity),
 * at most `maxExtents` of them. The page covers up to the end of its last extent when it is full,
 * else up to the capacity, so callers continue at startOffset+length.
 */
export function changedAreasPage(
  isSet: (grain: number) => boolean,
  capacityBytes: number,
  startOffset: number,
  maxExtents: number,
): ChangedAreas {
  const grains = grainCount(capacityBytes);
  const areas: { start: number; length: number }[] = [];
  let g = Math.floor(startOffset / GRAIN);
  while (g < grains) {
    if (!isSet(g)) {
      g++;
      continue;
    }
    const first = g;
    while (g < grains && isSet(g)) g++;
    const start = Math.max(first * GRAIN, startOffset);
    const end = Math.min(g * GRAIN, capacityBytes);
    areas.push({ start, length: end - start });
    if (areas.length >= maxExtents) {
      return { startOffset, length: end - startOffset, changedArea: areas };
    }
  }
  return { startOffset, length: capacityBytes - startOffset, changedArea: areas };
}
