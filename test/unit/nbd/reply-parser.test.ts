// The reply parser on synthetic byte streams, cut at every possible place: framing must not depend
// on how the socket happens to split the bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { pendingRequest, ReplyParser, type PendingRequest } from "../../../src/helper/nbd/reply-parser";
import { NbdProtocolError, NbdServerError } from "../../../src/helper/nbd/errors";
import { Chunk, CHUNK_FLAG_DONE, Cmd, SIMPLE_REPLY_MAGIC, STRUCTURED_REPLY_MAGIC } from "../../../src/helper/nbd/protocol";

function simple(cookie: number, errno: number, data?: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
  h.writeUInt32BE(errno, 4);
  h.writeUInt32BE(cookie, 12);
  return data ? Buffer.concat([h, data]) : h;
}

function chunk(cookie: number, type: number, done: boolean, payload: Buffer): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt32BE(STRUCTURED_REPLY_MAGIC, 0);
  h.writeUInt16BE(done ? CHUNK_FLAG_DONE : 0, 4);
  h.writeUInt16BE(type, 6);
  h.writeUInt32BE(cookie, 12);
  h.writeUInt32BE(payload.length, 16);
  return Buffer.concat([h, payload]);
}

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const u32 = (...ns: number[]) => {
  const b = Buffer.alloc(4 * ns.length);
  ns.forEach((n, i) => b.writeUInt32BE(n, 4 * i));
  return b;
};

/** A request waiting for its reply (READs get `dest`). */
function pending(cookie: number, cmd: number, offset: number, length: number, dest?: Buffer): PendingRequest {
  return pendingRequest(
    cookie,
    cmd,
    offset,
    length,
    dest,
    () => {},
    () => {},
  );
}

interface Scenario {
  stream: Buffer;
  requests: () => Map<number, PendingRequest>;
  data: Buffer;
}

/** Five requests answered out of order: structured READ (data+hole+data), simple READ, BLOCK_STATUS, WRITE error, READ with an ERROR chunk. */
function scenario(): Scenario {
  const data = randomBytes(3000);
  const stream = Buffer.concat([
    simple(3, 0), // WRITE ok
    chunk(1, Chunk.OFFSET_DATA, false, Buffer.concat([u64(1000), data.subarray(0, 1000)])),
    chunk(5, Chunk.BLOCK_STATUS, true, Buffer.concat([u32(1), u32(4096, 0, 8192, 3)])),
    chunk(1, Chunk.OFFSET_HOLE, false, Buffer.concat([u64(2000), u32(1000)])),
    simple(2, 0, data.subarray(0, 700)),
    chunk(4, Chunk.ERROR, true, Buffer.concat([u32(28), Buffer.from([0, 4]), Buffer.from("full")])),
    chunk(1, Chunk.OFFSET_DATA, true, Buffer.concat([u64(3000), data.subarray(2000, 3000)])),
    simple(6, 5), // READ failed with EIO (simple reply)
  ]);
  const requests = () => {
    const mk = pending;
    return new Map<number, PendingRequest>([
      [1, mk(1, Cmd.READ, 1000, 3000, Buffer.alloc(3000, 0xee))],
      [2, mk(2, Cmd.READ, 0, 700, Buffer.alloc(700))],
      [3, mk(3, Cmd.WRITE, 0, 512)],
      [4, mk(4, Cmd.WRITE, 8192, 512)],
      [5, mk(5, Cmd.BLOCK_STATUS, 0, 12288)],
      [6, mk(6, Cmd.READ, 0, 512, Buffer.alloc(512))],
    ]);
  };
  return { stream, requests, data };
}

/** A parser answering the scenario's requests, recording the order in which they complete. */
function parserFor(s: Scenario): { parser: ReplyParser; done: number[]; reqs: Map<number, PendingRequest> } {
  const reqs = s.requests();
  const done: number[] = [];
  const parser = new ReplyParser(
    (c) => reqs.get(c),
    (r) => done.push(r.cookie),
    () => 1,
  );
  return { parser, done, reqs };
}

function run(s: Scenario, cuts: number[]): { done: number[]; reqs: Map<number, PendingRequest> } {
  const { parser, done, reqs } = parserFor(s);
  let at = 0;
  for (const c of [...cuts, s.stream.length]) {
    // The parser must not keep references: feed a copy and scribble over it afterwards.
    const piece = Buffer.from(s.stream.subarray(at, c));
    parser.feed(piece);
    piece.fill(0x55);
    at = c;
  }
  return { done, reqs };
}

function check(s: Scenario, result: ReturnType<typeof run>, label: string): void {
  const { done, reqs } = result;
  assert.deepEqual(done, [3, 5, 2, 4, 1, 6], label);
  const r1 = reqs.get(1)!;
  assert.equal(r1.covered, 3000, label);
  assert.ok(r1.dest!.subarray(0, 1000).equals(s.data.subarray(0, 1000)), label);
  assert.ok(
    r1.dest!.subarray(1000, 2000).every((b) => b === 0),
    label,
  );
  assert.ok(r1.dest!.subarray(2000).equals(s.data.subarray(2000, 3000)), label);
  assert.ok(reqs.get(2)!.dest!.equals(s.data.subarray(0, 700)), label);
  assert.deepEqual(
    reqs.get(5)!.extents,
    [
      { offset: 0, length: 4096, hole: false, zero: false },
      { offset: 4096, length: 8192, hole: true, zero: true },
    ],
    label,
  );
  const e4 = reqs.get(4)!.error!;
  assert.ok(e4 instanceof NbdServerError && e4.errnoName === "ENOSPC" && /full/.test(e4.message), label);
  assert.equal(reqs.get(6)!.error?.errnoName, "EIO", label);
}

test("replies parse identically however the stream is cut (every single cut point)", () => {
  const s = scenario();
  check(s, run(s, []), "whole");
  for (let cut = 1; cut < s.stream.length; cut++) check(s, run(s, [cut]), `cut at ${cut}`);
});

test("replies parse byte by byte and in random pieces", () => {
  const s = scenario();
  check(
    s,
    run(
      s,
      Array.from({ length: s.stream.length - 1 }, (_, i) => i + 1),
    ),
    "byte by byte",
  );
  for (let round = 0; round < 200; round++) {
    const cuts = [...new Set(Array.from({ length: 1 + (round % 12) }, () => 1 + Math.floor(Math.random() * (s.stream.length - 1))))].sort(
      (a, b) => a - b,
    );
    check(s, run(s, cuts), `cuts ${cuts.join(",")}`);
  }
});

test("framing violations are protocol errors", () => {
  const reqs = new Map<number, PendingRequest>();
  const parser = () =>
    new ReplyParser(
      (c) => reqs.get(c),
      () => {},
      () => 1,
    );
  assert.throws(() => parser().feed(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n")), NbdProtocolError);
  assert.throws(() => parser().feed(simple(99, 0)), /unknown cookie/);
  reqs.set(7, pending(7, Cmd.READ, 100, 10, Buffer.alloc(10)));
  assert.throws(() => parser().feed(chunk(7, Chunk.OFFSET_DATA, true, Buffer.concat([u64(105), Buffer.alloc(10)]))), /outside the request/);
  assert.throws(() => parser().feed(chunk(7, 77, true, Buffer.alloc(4))), /unknown structured chunk/);
});

/**
 * Like the socket does for large payloads: before each read, ask the parser where the bytes should go;
 * up to `step` bytes land in the offered destination directly, else a piece is fed.
 */
function runDirect(s: Scenario, step: number, min: number): { done: number[]; reqs: Map<number, PendingRequest>; landed: number } {
  const { parser, done, reqs } = parserFor(s);
  let at = 0;
  let landed = 0;
  while (at < s.stream.length) {
    const target = parser.directTarget(min);
    const n = Math.min(step, s.stream.length - at, target?.length ?? Infinity);
    if (target) {
      s.stream.copy(target, 0, at, at + n);
      parser.landed(n);
      landed += n;
    } else parser.feed(Buffer.from(s.stream.subarray(at, at + n)));
    at += n;
  }
  return { done, reqs, landed };
}

test("READ payloads landing in their destination directly parse like fed ones, however the reads are cut", () => {
  const s = scenario();
  for (const step of [1, 7, 16, 20, 33, 100, 999, s.stream.length]) {
    for (const min of [1, 64, 500]) {
      const result = runDirect(s, step, min);
      check(s, result, `reads of ${step}, direct from ${min}`);
      if (step >= 33 && step < s.stream.length) assert.ok(result.landed > 0, `reads of ${step}: some bytes landed directly`);
    }
  }
});

test("the parser offers no destination outside a READ payload, and refuses bytes landing there", () => {
  const reqs = new Map<number, PendingRequest>([[2, pending(2, Cmd.READ, 0, 700, Buffer.alloc(700))]]);
  const parser = new ReplyParser(
    (c) => reqs.get(c),
    () => {},
    () => 1,
  );
  assert.equal(parser.directTarget(1), undefined);
  assert.throws(() => parser.landed(1), NbdProtocolError);
  parser.feed(simple(2, 0, Buffer.alloc(100, 1)));
  assert.equal(parser.directTarget(601), undefined, "fewer bytes left than asked for");
  const rest = parser.directTarget(600)!;
  assert.equal(rest.length, 600);
  rest.fill(2);
  assert.throws(() => parser.landed(601), NbdProtocolError);
  parser.landed(600);
  assert.ok(
    reqs
      .get(2)!
      .dest!.subarray(100)
      .every((b) => b === 2),
  );
  assert.equal(parser.directTarget(1), undefined);
});
