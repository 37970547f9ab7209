// Where the network's columns and neurons go on the canvas.
import { test } from "node:test";
import assert from "node:assert/strict";
import { columnSizes, layoutColumns, nodePoint, PAD_Y } from "../../static/js/layout.js";

const layers = [{ W: [[1, 2], [3, 4], [5, 6]] }, { W: [[1, 2, 3]] }]; // 2 → 3 → 1

test("a column per layer boundary, sized by the weight matrices", () => {
  assert.deepEqual(columnSizes(layers), [2, 3, 1]);
});

test("columns spread left to right inside the padding; neurons evenly down", () => {
  const cols = layoutColumns([2, 3, 1], null, 600, 400);
  assert.equal(cols.length, 3);
  assert.equal(cols[0].x, 48); // 8% of a narrow width
  assert.ok(cols[0].x < cols[1].x && cols[1].x < cols[2].x && cols[2].x <= 600 - 48);
  assert.equal(layoutColumns([2, 3, 1], null, 1200, 400)[0].x, 56); // at most 56 px
  const [a, b, c] = cols[1].ys;
  assert.ok(Math.abs((b - a) - (c - b)) < 1e-9);
  assert.ok(a > PAD_Y && c < 400 - PAD_Y);
  assert.equal(cols[2].ys[0], 200); // one neuron: the middle
});

test("an image input is a square, and pixel i sits in its row and column", () => {
  const cols = layoutColumns([784, 16, 10], [28, 28], 1000, 400);
  assert.equal(cols[0].image, true);
  const [x0, y0] = nodePoint(cols[0], 0, [28, 28]);
  const [x1, y1] = nodePoint(cols[0], 29, [28, 28]); // row 1, column 1
  const px = cols[0].side / 28;
  assert.ok(Math.abs(x1 - x0 - px) < 1e-9 && Math.abs(y1 - y0 - px) < 1e-9);
  assert.ok(x0 > cols[0].x - cols[0].side / 2 && y0 > cols[0].top);
});

test("the output's target fits beside it, in a compare pane as in the page's own", () => {
  const label = 8 + 7 * 7.3; // "y 0.567" at 12 px monospace, 8 px from the circle
  for (const width of [300, 320, 420, 650, 900]) {
    const out = layoutColumns([2, 8, 1], null, width, 300).at(-1);
    assert.ok(out.x + out.r + label <= width, `${width} px: ends at ${out.x + out.r + label}`);
  }
});
