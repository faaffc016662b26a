// Byte ranges of a disk, shared by the NBD wire layer and the endpoints the copy engine sees.

/** A byte range of a disk. */
export interface Area {
  offset: number;
  length: number;
}

/** A disk range and where its bytes lie in a caller's buffer (batched reads and writes). */
export interface BufferedArea extends Area {
  /** Position of the range's first byte in the buffer. */
  at: number;
}
