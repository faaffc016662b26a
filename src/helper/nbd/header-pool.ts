// Request headers from one reusable slab. A header is given back when its request is answered (the
// server has read it by then, so the socket no longer holds it). A fresh 28-byte Buffer per request
// came from Node's 8 KiB pool slabs, which outlived their requests in the old generation: native
// memory grew by tens of MiB over a fragmented copy before V8 collected it.
import { REQUEST_HEADER_SIZE, REQUEST_MAGIC } from "./protocol";

const SLAB_HEADERS = 256;

export class HeaderPool {
  private readonly free: Buffer[] = [];

  /** A header filled in for one request. */
  take(cmd: number, flags: number, cookie: number, offset: number, length: number): Buffer {
    const h = this.free.pop() ?? this.grow();
    h.writeUInt32BE(REQUEST_MAGIC, 0);
    h.writeUInt16BE(flags, 4);
    h.writeUInt16BE(cmd, 6);
    h.writeUInt32BE(0, 8);
    h.writeUInt32BE(cookie, 12);
    // Offsets are safe integers (< 2^53): two 32-bit halves, no BigInt per request.
    h.writeUInt32BE(Math.floor(offset / 0x1_0000_0000), 16);
    h.writeUInt32BE(offset % 0x1_0000_0000, 20);
    h.writeUInt32BE(length, 24);
    return h;
  }

  /** Give a header back once its request was answered. */
  give(h: Buffer): void {
    this.free.push(h);
  }

  private grow(): Buffer {
    const slab = Buffer.allocUnsafeSlow(SLAB_HEADERS * REQUEST_HEADER_SIZE);
    for (let i = 1; i < SLAB_HEADERS; i++) this.free.push(slab.subarray(i * REQUEST_HEADER_SIZE, (i + 1) * REQUEST_HEADER_SIZE));
    return slab.subarray(0, REQUEST_HEADER_SIZE);
  }
}
