// verify leaves out exactly the ranges guest conversion rewrote, nothing more.
import { test } from "node:test";
import assert from "node:assert/strict";
import { subtractAreas } from "../../src/helper/verify/compare";

test("subtractAreas cuts excluded ranges out of the compared blocks", () => {
  const areas = [
    { offset: 0, length: 100 },
    { offset: 100, length: 100 },
    { offset: 300, length: 50 },
  ];
  const out = subtractAreas(areas, [
    { offset: 50, length: 70 },
    { offset: 180, length: 10 },
    { offset: 340, length: 100 },
  ]);
  assert.deepEqual(out, [
    { offset: 0, length: 50 },
    { offset: 120, length: 60 },
    { offset: 190, length: 10 },
    { offset: 300, length: 40 },
  ]);
  assert.deepEqual(subtractAreas(areas, []), areas);
  assert.deepEqual(subtractAreas([{ offset: 0, length: 10 }], [{ offset: 0, length: 10 }]), []);
});
