// Awaitable exact-length reads over a socket, used during the handshake only (the transmission
// phase parses replies synchronously in ReplyParser). The owner pushes received bytes (the socket
// reads into one reused buffer, so push() copies); detach() hands back unread bytes.
import { type Socket } from "node:net";
import { NbdDisconnectedError } from "./errors";

export class ByteReader {
  private chunks: Buffer[] = [];
  private available = 0;
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  /** Bytes received from the socket; copied because the caller reuses its buffer. */
  push(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
    this.available += chunk.length;
    this.wake();
  }
  private readonly onEnd = () => this.fail(new NbdDisconnectedError("the server closed the connection during the handshake"));
  private readonly onError = (e: Error) => this.fail(new NbdDisconnectedError(`connection error during the handshake: ${e.message}`));

  constructor(private readonly socket: Socket) {
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
  }

  read(n: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error("ByteReader: concurrent read"));
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
      this.wake();
    });
  }

  /** Stop listening and return any bytes received but not read. */
  detach(): Buffer {
    this.socket.off("end", this.onEnd);
    this.socket.off("close", this.onEnd);
    this.socket.off("error", this.onError);
    const rest = Buffer.concat(this.chunks);
    this.chunks = [];
    this.available = 0;
    return rest;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }

  private wake(): void {
    const w = this.waiter;
    if (!w || this.available < w.n) return;
    this.waiter = undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, w.n);
    const rest = all.subarray(w.n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.available = rest.length;
    w.resolve(out);
  }
}
