// Seeded sample offsets for quick verify: the same seed gives the same blocks on every host, so a
// reported mismatch can be re-checked with --seed.
import { createHash, randomBytes } from "node:crypto";
import { type Area } from "../endpoints/index";

export function newSeed(): string {
  return randomBytes(8).toString("hex");
}

/** A deterministic stream of 48-bit integers from sha256(seed, label, counter). */
function* stream(seed: string, label: string): Generator<number> {
  for (let counter = 0; ; counter++) {
    const h = createHash("sha256").update(`${seed}\0${label}\0${counter}`).digest();
    for (let i = 0; i + 6 <= h.length; i += 6) yield h.readUIntBE(i, 6);
  }
}

/**
 * `count` distinct blocks of `blockSize` bytes in [0, size), block aligned, sorted; the last block of
 * a disk whose size is not a multiple of blockSize is shorter. Every block when count >= blocks.
 */
export function sampleBlocks(size: number, blockSize: number, count: number, seed: string, label: string): Area[] {
  const blocks = Math.ceil(size / blockSize);
  const area = (b: number): Area => ({ offset: b * blockSize, length: Math.min(blockSize, size - b * blockSize) });
  if (count >= blocks) return Array.from({ length: blocks }, (_, b) => area(b));
  const chosen = new Set<number>();
  const gen = stream(seed, label);
  while (chosen.size < count) chosen.add(gen.next().value! % blocks);
  return [...chosen].sort((x, y) => x - y).map(area);
}
