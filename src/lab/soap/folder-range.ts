// The HTTP side of a datastore file read that the lab process and its datastore workers share: the
// Range header, the reply's status and headers, HEAD, plain-text error replies, and the streaming of
// chunks (the first read before the headers, so an immediate read error is still a clean 500; then each
// next chunk read while the previous one is written; a later read error cuts the stream short).
import { type IncomingMessage, type ServerResponse } from "node:http";

/** Bytes read and written per step: large writes keep the per-call cost of TLS low. */
export const FOLDER_CHUNK = 2 * 1024 * 1024;

export type ByteRange = { start: number; end: number } | "unsatisfiable" | undefined;

/** Parses a single "bytes=" range against a size; multi-range requests are answered in full. */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === "" && b === "") return undefined;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(a);
  const end = b === "" ? size : Math.min(size, Number(b) + 1);
  if (start >= size || end <= start) return "unsatisfiable";
  return { start, end };
}

export function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

export const UNAUTHORIZED = {
  status: 401,
  text: "Authentication required\n",
  headers: { "WWW-Authenticate": 'Basic realm="VMware HTTP server"' },
};

/** What a GET or HEAD of a file of `size` bytes answers: the bytes [start, end), or a 416 already sent. */
function rangeReply(
  res: ServerResponse,
  rangeHeader: string | undefined,
  size: number,
): { status: number; headers: Record<string, string>; start: number; end: number } | undefined {
  const range = parseRange(rangeHeader, size);
  if (range === "unsatisfiable") {
    plain(res, 416, "Range not satisfiable\n", { "Content-Range": `bytes */${size}` });
    return undefined;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size;
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Accept-Ranges": "bytes",
    "Content-Length": String(end - start),
  };
  if (range) headers["Content-Range"] = `bytes ${start}-${end - 1}/${size}`;
  return { status: range ? 206 : 200, headers, start, end };
}

/** A file's bytes as a range reply reads them: the lab's model or a data file a worker reads itself. */
export interface RangeSource {
  size: number;
  /** Bytes [pos, pos + len): a fresh buffer or one of the source's own, handed back through release(). */
  read(pos: number, len: number): Promise<Buffer>;
  /** A chunk read() gave has been written out: its memory may be reused. */
  release?(chunk: Buffer): void;
  /** The 500 reply's text for a read error before any byte went out; undefined: not a storage error (thrown on). */
  readErrorText(err: unknown): string | undefined;
  /** Called after the headers with the first chunk; true when it took the reply over (an injected connection reset). */
  interrupt?(res: ServerResponse, first: Buffer): Promise<boolean>;
}

/** Answers a GET or HEAD of the source (whole or one range) on res. */
export async function serveRange(req: IncomingMessage, res: ServerResponse, source: RangeSource): Promise<void> {
  const reply = rangeReply(res, req.headers.range, source.size);
  if (!reply) return;
  const { status, headers, start, end } = reply;
  if (req.method === "HEAD" || start === end) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const readFrom = (pos: number) => source.read(pos, Math.min(FOLDER_CHUNK, end - pos));
  let first: Buffer;
  try {
    first = await readFrom(start);
  } catch (err) {
    const text = source.readErrorText(err);
    if (text === undefined) throw err;
    return plain(res, 500, text);
  }
  res.writeHead(status, headers);
  if (await source.interrupt?.(res, first)) return;
  await streamChunks(res, first, start, end, readFrom, source.release ?? (() => undefined));
}

async function streamChunks(
  res: ServerResponse,
  first: Buffer,
  start: number,
  end: number,
  readFrom: (pos: number) => Promise<Buffer>,
  release: (chunk: Buffer) => void,
): Promise<void> {
  let chunk = first;
  for (let pos = start; ;) {
    if (chunk.length === 0) return void res.destroy(); // the file ended early: never loop on an empty read
    pos += chunk.length;
    const next = pos < end ? readFrom(pos) : undefined;
    next?.catch(() => undefined);
    const ok = await written(res, chunk);
    if (ok) release(chunk); // a chunk whose write never completed is left to the garbage collector
    if (!ok || !next) {
      await next?.then(release, () => undefined);
      break;
    }
    try {
      chunk = await next;
    } catch {
      return void res.destroy(); // as a host does when storage fails mid-transfer: the stream is cut short
    }
  }
  if (!res.destroyed) res.end();
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
