// Following events.log by appended bytes only: partial lines, multi-byte text, the first-read window,
// truncation, unknown and malformed lines, and folding of change bursts into few reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventLogTail, type TailChunk } from "../../../src/page/host/event-log-tail";
import { type V2kEvent } from "../../../src/shared/events";
import { eventLine } from "./fake-cockpit";

/** The reader stat+tail implement, over an in-memory file (byte offsets, like the real tools). */
function fileReader(get: () => string) {
  const calls: number[] = [];
  const read = async (offset: number, window: number): Promise<TailChunk> => {
    calls.push(offset);
    const bytes = Buffer.from(get(), "utf8");
    const start = offset < 0 ? Math.max(0, bytes.length - window) : offset;
    if (start > bytes.length) return { size: bytes.length, start: -1, text: "" };
    return { size: bytes.length, start, text: bytes.subarray(start).toString("utf8") };
  };
  return { read, calls };
}

const msg = (e: V2kEvent) => (e.type === "log" ? e.message : e.type);

test("reads only appended complete lines, with multi-byte text and lines cut mid-write", async () => {
  let file = "";
  const { read, calls } = fileReader(() => file);
  const got: string[] = [];
  const bad: string[] = [];
  const tail = new EventLogTail(
    read,
    (events) => got.push(...events.map(msg)),
    (l) => bad.push(l),
  );
  const a = eventLine({ type: "log", level: "info", message: "가상 머신 web01 복사" });
  const b = eventLine({ type: "log", level: "info", message: "second" });
  file = a + b.slice(0, 20);
  await tail.poke();
  assert.deepEqual(got, ["가상 머신 web01 복사"]);
  file = a + b + eventLine({ type: "from-the-future" }) + "garbage\n";
  await tail.poke();
  assert.deepEqual(got, ["가상 머신 web01 복사", "second"]);
  assert.deepEqual(bad, ["garbage"]);
  assert.equal(calls.at(-1), Buffer.byteLength(a), "the next read starts after the last complete line (bytes)");
});

test("the first read takes only the last window and skips its partial first line", async () => {
  const lines = Array.from({ length: 50 }, (_, i) => eventLine({ type: "log", level: "info", message: `line ${i}` }));
  const file = lines.join("");
  const { read } = fileReader(() => file);
  const got: string[] = [];
  await new EventLogTail(
    read,
    (events) => got.push(...events.map(msg)),
    () => {},
    1000,
  ).poke();
  assert.ok(got.length > 0 && got.length < 50, `read ${got.length} lines`);
  assert.equal(got.at(-1), "line 49");
  assert.deepEqual(
    got,
    lines.slice(50 - got.length).map((_, i) => `line ${50 - got.length + i}`),
  );
});

test("a truncated or replaced log starts over and says so", async () => {
  let file = eventLine({ type: "log", level: "info", message: "old 1" }) + eventLine({ type: "log", level: "info", message: "old 2" });
  const { read } = fileReader(() => file);
  const seen: [string[], boolean][] = [];
  const tail = new EventLogTail(read, (events, restarted) => seen.push([events.map(msg), restarted]));
  await tail.poke();
  file = eventLine({ type: "log", level: "info", message: "new" });
  await tail.poke();
  assert.deepEqual(seen, [
    [["old 1", "old 2"], false],
    [["new"], true],
  ]);
});

test("a burst of change notifications folds into at most one more read", async () => {
  let file = eventLine({ type: "log", level: "info", message: "x" });
  let release: () => void = () => {};
  let reads = 0;
  const { read: inner } = fileReader(() => file);
  const slow = async (o: number, w: number) => {
    reads++;
    await new Promise<void>((r) => (release = r));
    return inner(o, w);
  };
  const tail = new EventLogTail(slow, () => {});
  const first = tail.poke();
  for (let i = 0; i < 10; i++) void tail.poke();
  file += eventLine({ type: "log", level: "info", message: "y" });
  release();
  await new Promise((r) => setTimeout(r, 0));
  release();
  await first;
  assert.equal(reads, 2);
});
