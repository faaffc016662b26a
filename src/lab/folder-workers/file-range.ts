// A worker's read of a data file range, answered by the reply the lab process gives (../soap/folder-range.ts).
// The file is opened per chunk as the lab's model does, so a delta deleted by a consolidation mid-read
// fails the same way. Chunks go into reused buffers, each handed back only once its write has completed:
// no allocation, no copy per chunk.
import { closeSync, openSync, read, readSync } from "node:fs";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { FOLDER_CHUNK, serveRange } from "../soap/folder-range";

const POOL_MAX = 16;
const pool: Buffer[] = [];
const take = () => pool.pop() ?? Buffer.allocUnsafeSlow(FOLDER_CHUNK);
/** Back into the pool: the whole buffer a chunk (a view of its first bytes) was read into. */
function give(chunk: Buffer): void {
  if (chunk.buffer.byteLength === FOLDER_CHUNK && pool.length < POOL_MAX) pool.push(Buffer.from(chunk.buffer, 0, FOLDER_CHUNK));
}

/**
 * Reads up to this size are made on the event loop: handing one to the thread pool (a pool thread woken,
 * then the loop woken again) cost more than a page-cache read of 64 KiB, nbdkit-curl's usual request.
 */
const SYNC_READ_MAX = 256 * 1024;

function readAt(fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
  if (len <= SYNC_READ_MAX) return Promise.resolve(readSync(fd, buf, off, len, pos));
  return new Promise((resolve, reject) => read(fd, buf, off, len, pos, (err, n) => (err ? reject(err) : resolve(n))));
}

/** [pos, pos + len) of the file into buf; zeros past its end (a sparse file shorter than the disk). */
async function readChunk(path: string, buf: Buffer, pos: number, len: number): Promise<Buffer> {
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < len) {
      const n = await readAt(fd, buf, done, len - done, pos + done);
      if (n === 0) {
        buf.fill(0, done, len);
        break;
      }
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf.subarray(0, len);
}

export interface LocalFile {
  path: string;
  /** "[ds] path", as read errors name the file. */
  name: string;
  size: number;
}

export function serveFileRange(req: IncomingMessage, res: ServerResponse, file: LocalFile): Promise<void> {
  return serveRange(req, res, {
    size: file.size,
    read: (pos, len) => readChunk(file.path, take(), pos, len),
    release: give,
    readErrorText: (err) => `Read error: Error caused by file ${file.name}: ${(err as Error).message}\n`,
  });
}
