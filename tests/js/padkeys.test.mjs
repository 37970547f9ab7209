// The drawing pad by keyboard (padkeys.js): the pen's place on the pad and the pixel it names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { onPad, pixelOf } from "../../static/js/padkeys.js";
import { centre, planeKey } from "../../static/js/planekeys.js";

const SIZE = 196;
const RANGE = { x: [0, SIZE], y: [0, SIZE] };

test("the pen starts in the middle of the pad, at the network's pixel (15, 15) of 28", () => {
  const pen = centre(RANGE);
  assert.deepEqual(onPad(pen, SIZE), { x: 98, y: 98 });
  assert.deepEqual(pixelOf(pen, SIZE), { col: 15, row: 15 });
});

test("up moves the pen up the pad as drawn (its y down), and to a row nearer the top", () => {
  const pen = centre(RANGE);
  const up = planeKey("ArrowUp", false, pen, RANGE).move;
  assert.ok(onPad(up, SIZE).y < onPad(pen, SIZE).y);
  assert.ok(pixelOf(up, SIZE).row < pixelOf(pen, SIZE).row);
  assert.equal(pixelOf(up, SIZE).col, 15);
});

test("the corners are pixels 1 and 28, never 0 or 29", () => {
  assert.deepEqual(pixelOf({ x: 0, y: SIZE }, SIZE), { col: 1, row: 1 }); // top left as drawn
  assert.deepEqual(pixelOf({ x: SIZE, y: 0 }, SIZE), { col: 28, row: 28 });
  assert.deepEqual(onPad({ x: SIZE, y: 0 }, SIZE), { x: SIZE, y: SIZE });
});
