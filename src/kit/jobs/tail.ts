// Reads what was appended to a file since an offset (events.log grows to megabytes: re-reading it on
// every change would flood the page's socket), and follows a file as JSON-lines-friendly chunks.
import { closeSync, openSync, readSync, statSync } from "node:fs";

export interface TailChunk {
  size: number; // file size when read, -1 when the file does not exist
  start: number; // byte offset `text` starts at, -1 when the file is shorter than the offset asked for
  text: string;
}

/** Reads `path` from `offset` (bytes); offset -1 asks for the last `windowBytes`. */
export function readTail(path: string, offset: number, windowBytes: number): TailChunk {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return { size: -1, start: -1, text: "" };
  }
  try {
    const size = statSync(path).size;
    const start = offset < 0 ? Math.max(0, size - windowBytes) : offset;
    if (start > size) return { size, start: -1, text: "" };
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return { size, start, text: buf.subarray(0, got).toString("utf8") };
  } finally {
    closeSync(fd);
  }
}

/**
 * Follows `path` from `offset` until `signal` aborts, calling `onChunk` with each run of complete
 * lines; a file that shrank (replaced or truncated) is read again from its start.
 */
export async function followFile(
  path: string,
  offset: number,
  onChunk: (c: TailChunk) => void,
  signal: AbortSignal,
  pollMs = 250,
): Promise<void> {
  let at = offset;
  while (!signal.aborted) {
    const chunk = readTail(path, at, 0);
    if (chunk.size >= 0 && chunk.start < 0)
      at = 0; // shrank: start over
    else if (chunk.size >= 0) {
      const end = chunk.text.lastIndexOf("\n");
      if (end >= 0) {
        const text = chunk.text.slice(0, end + 1);
        onChunk({ size: chunk.size, start: chunk.start, text });
        at = chunk.start + Buffer.byteLength(text, "utf8");
      }
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
