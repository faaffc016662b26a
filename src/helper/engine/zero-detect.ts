// Finding zero runs in a read buffer, so that zeros are written as WRITE_ZEROES (holes stay holes)
// and never as data. Granules line up with absolute disk offsets (qcow2 clusters are 64 KiB).

export const ZERO_GRANULE = 64 * 1024;
const ZEROS = Buffer.alloc(ZERO_GRANULE);

export function isZero(buf: Buffer): boolean {
  for (let at = 0; at < buf.length; at += ZERO_GRANULE) {
    const n = Math.min(ZERO_GRANULE, buf.length - at);
    if (buf.compare(ZEROS, 0, n, at, at + n) !== 0) return false;
  }
  return true;
}

/** Whether `length` bytes of `buf` at `start` are zero, for a span within one granule (no slice made). */
export function zeroSpan(buf: Buffer, start: number, length: number): boolean {
  return buf.compare(ZEROS, 0, length, start, start + length) === 0;
}

/** Whether `length` bytes at `diskOffset` lie in one granule, so zeroSpan answers for all of them. */
export function inOneGranule(diskOffset: number, length: number): boolean {
  return Math.floor(diskOffset / ZERO_GRANULE) === Math.floor((diskOffset + length - 1) / ZERO_GRANULE);
}

export interface Run {
  zero: boolean;
  /** Offset within the buffer. */
  start: number;
  length: number;
}

/**
 * Split `buf` (holding disk bytes starting at `diskOffset`) into alternating data and zero runs,
 * looking at granule-aligned pieces (the first and last piece may be partial granules).
 */
export function zeroRuns(buf: Buffer, diskOffset: number): Run[] {
  const runs: Run[] = [];
  let at = 0;
  while (at < buf.length) {
    const next = Math.min(buf.length, (Math.floor((diskOffset + at) / ZERO_GRANULE) + 1) * ZERO_GRANULE - diskOffset);
    const n = next - at;
    const zero = buf.compare(ZEROS, 0, n, at, next) === 0;
    const last = runs.at(-1);
    if (last && last.zero === zero) last.length += n;
    else runs.push({ zero, start: at, length: n });
    at = next;
  }
  return runs;
}
