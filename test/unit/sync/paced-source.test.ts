// A paced source keeps what the engine relies on: batched reads stay one batch (each small extent alone
// would be a read and a round trip), their bytes are paced, and the source's held memory is reported to
// the copy budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryDisk, MemorySource, type BufferedArea } from "../../../src/helper/endpoints/index";
import { Pacer, pacedSource } from "../../../src/helper/sync/pacing";

class BatchCounting extends MemorySource {
  batches = 0;
  singles = 0;
  readonly heldBytes = 3 * 1024 * 1024;
  override read(offset: number, length: number, into?: Buffer): Promise<Buffer> {
    this.singles++;
    return super.read(offset, length, into);
  }
  async readMany(areas: readonly BufferedArea[], into: Buffer): Promise<void> {
    this.batches++;
    for (const a of areas) await super.read(a.offset, a.length, into.subarray(a.at, a.at + a.length));
  }
}

test("a paced source reads a batch as one batch, paces its bytes and reports the memory its source holds", async () => {
  const disk = new MemoryDisk(1 << 20);
  disk.write(0, Buffer.alloc(1 << 20, 7));
  const source = new BatchCounting(disk);
  const asked: number[] = [];
  const pacer = new Pacer(() => 0);
  const take = pacer.take.bind(pacer);
  pacer.take = (bytes: number) => (asked.push(bytes), take(bytes));
  const paced = pacedSource(source, pacer);
  assert.equal(paced.heldBytes, 3 * 1024 * 1024);
  assert.ok(paced.readMany, "the paced source offers batched reads");
  const into = Buffer.alloc(12 * 1024);
  const areas = [0, 1, 2].map((i) => ({ offset: i * 65536, length: 4096, at: i * 4096 }));
  await paced.readMany(areas, into);
  assert.equal(source.batches, 1);
  assert.equal(source.singles, 0);
  assert.deepEqual(asked, [12 * 1024]);
  assert.ok(into.every((b) => b === 7));
});
