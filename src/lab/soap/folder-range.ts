// The HTTP side of a datastore file read that the lab process and its datastore workers share: the
// Range header, the reply's status and headers, plain-text error replies, and the chunk size.
import { type ServerResponse } from "node:http";

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
export function rangeReply(
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

/** Resolves when the response can take more data or the client went away (listeners removed again). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
