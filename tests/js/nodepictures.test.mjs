import { test } from "node:test";
import assert from "node:assert/strict";
import { levels, picturesOn } from "../../static/js/nodepictures.js";

test("pictures: on by default for 2-D inputs and small nets, a toggle either way", () => {
  assert.equal(picturesOn("auto", 2, [4, 4, 1]), true);
  assert.equal(picturesOn("auto", 2, [16, 1]), false); // a wide layer: tiny nodes
  assert.equal(picturesOn("1", 2, [16, 1]), true);
  assert.equal(picturesOn("0", 2, [2, 1]), false);
  assert.equal(picturesOn("1", 784, [16, 10]), false); // no input plane to draw over
});

test("levels centre each activation on its middle", () => {
  assert.deepEqual(levels([0, 0.5, 1], "sigmoid"), [-1, 0, 1]);
  assert.deepEqual(levels([-2, 0, 0.5], "tanh"), [-1, 0, 0.5]);
  assert.deepEqual(levels([0, 2, 4], "relu"), [0, 0.5, 1]);
  assert.deepEqual(levels([NaN, 1], "linear"), [0, 1]); // a diverged value draws as the middle
});
