// A worker's read of a data file range into the response, as the lab process serves it (../soap/folder.ts):
// the first chunk read before the headers (a read error is a clean 500), then chunks read ahead while the
// previous one is written, the stream cut short on a later error. The file is opened per chunk as the
// lab's model does, so a delta deleted by a consolidation mid-read fails the same way. Chunks go into
// reused buffers, each handed back only once its write has completed: no allocation, no copy per chunk.
import { closeSync, openSync, read } from "node:fs";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { FOLDER_CHUNK, plain, rangeReply } from "../soap/folder-range";

const POOL_MAX = 16;
const pool: Buffer[] = [];
const take = () => pool.pop() ?? Buffer.allocUnsafeSlow(FOLDER_CHUNK);
const give = (b: Buffer) => void (pool.length < POOL_MAX && pool.push(b));

function readAt(fd: number, buf: Buffer, off: number, len: number, pos: number): Promise<number> {
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

/** Resolves true once the chunk is written, false when the client went away first. */
function written(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const gone = () => resolve(false);
    res.once("close", gone);
    res.write(chunk, (err) => {
      res.off("close", gone);
      resolve(!err);
    });
  });
}

export interface LocalFile {
  path: string;
  /** "[ds] path", as read errors name the file. */
  name: string;
  size: number;
}

export async function serveFileRange(req: IncomingMessage, res: ServerResponse, file: LocalFile): Promise<void> {
  const reply = rangeReply(res, req.headers.range, file.size);
  if (!reply) return;
  const { status, headers, start, end } = reply;
  if (req.method === "HEAD") {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const readFrom = (buf: Buffer, pos: number) => readChunk(file.path, buf, pos, Math.min(FOLDER_CHUNK, end - pos));
  let buf = take();
  let chunk: Buffer;
  try {
    chunk = await readFrom(buf, start);
  } catch (err) {
    give(buf);
    return plain(res, 500, `Read error: Error caused by file ${file.name}: ${(err as Error).message}\n`);
  }
  res.writeHead(status, headers);
  let pos = start;
  for (;;) {
    pos += chunk.length;
    const nextBuf = pos < end ? take() : undefined;
    const next = nextBuf ? readFrom(nextBuf, pos) : undefined;
    next?.catch(() => undefined);
    const ok = await written(res, chunk);
    if (ok) give(buf); // a buffer whose write never completed is left to the garbage collector
    if (!ok || !next || !nextBuf) {
      if (next)
        await next.then(
          () => give(nextBuf!),
          () => undefined,
        );
      break;
    }
    try {
      chunk = await next;
    } catch {
      res.destroy(); // storage failed mid-transfer: the stream is cut short
      return;
    }
    buf = nextBuf;
  }
  if (!res.destroyed) res.end();
}
