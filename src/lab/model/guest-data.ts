// Deterministic pseudo-random guest data: byte p of a write with seed s depends only on (s, p), so a
// write can be split, repeated or checked by anyone who knows the seed and the absolute offset.

function mix32(x: number): number {
  // murmur3 finalizer: cheap and well distributed
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The guest data for [offset, offset+length) with this seed. */
export function guestPattern(seed: number, offset: number, length: number): Buffer {
  const firstWord = Math.floor(offset / 4);
  const lastWord = Math.floor((offset + length - 1) / 4);
  const words = lastWord - firstWord + 1;
  const buf = Buffer.allocUnsafe(words * 4);
  const s = mix32(seed >>> 0 ^ 0x9e3779b9);
  for (let i = 0; i < words; i++) {
    const w = firstWord + i;
    // both halves of the word index feed the hash so offsets above 16 GiB stay distinct
    const v = mix32(s ^ mix32(w >>> 0) ^ Math.imul(Math.floor(w / 0x100000000), 0x27d4eb2d));
    buf.writeUInt32LE(v, i * 4);
  }
  const skip = offset - firstWord * 4;
  return buf.subarray(skip, skip + length);
}
