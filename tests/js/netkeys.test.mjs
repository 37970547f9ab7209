// Arrow keys over the network: where each press leads, at the edges of the net too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { moveSelection } from "../../static/js/netkeys.js";

const sizes = [2, 3, 1]; // 2 inputs, 3 hidden, 1 output
const n = (col, i) => ({ kind: "n", col, i });
const e = (l, i, j) => ({ kind: "e", l, i, j });

test("the first arrow selects the first neuron (past a picture's pixels)", () => {
  assert.equal(moveSelection(null, "ArrowDown", sizes), "n:0:0");
  assert.equal(moveSelection(null, "ArrowRight", [784, 16, 10], true), "n:1:0");
});

test("up and down walk a column and stop at its ends", () => {
  assert.equal(moveSelection(n(1, 0), "ArrowDown", sizes), "n:1:1");
  assert.equal(moveSelection(n(1, 2), "ArrowDown", sizes), "n:1:2");
  assert.equal(moveSelection(n(1, 0), "ArrowUp", sizes), "n:1:0");
});

test("right from a neuron takes its weight straight ahead, then the neuron it feeds", () => {
  assert.equal(moveSelection(n(0, 1), "ArrowRight", sizes), "e:0:1:1");
  assert.equal(moveSelection(e(0, 1, 1), "ArrowRight", sizes), "n:1:1");
  assert.equal(moveSelection(n(1, 2), "ArrowRight", sizes), "e:1:0:2"); // one output: row 0
  assert.equal(moveSelection(n(2, 0), "ArrowRight", sizes), "n:2:0"); // the output is the end
});

test("left goes back along the weight the same way", () => {
  assert.equal(moveSelection(n(1, 2), "ArrowLeft", sizes), "e:0:2:1"); // two inputs: row 1
  assert.equal(moveSelection(e(0, 2, 1), "ArrowLeft", sizes), "n:0:1");
  assert.equal(moveSelection(n(0, 0), "ArrowLeft", sizes), "n:0:0");
});

test("up and down on a weight sweep the weights into the same neuron", () => {
  assert.equal(moveSelection(e(1, 0, 0), "ArrowDown", sizes), "e:1:0:1");
  assert.equal(moveSelection(e(1, 0, 2), "ArrowDown", sizes), "e:1:0:2");
  assert.equal(moveSelection(e(0, 2, 0), "ArrowUp", sizes), "e:0:2:0");
});

test("keys that are not arrows move nothing", () => {
  assert.equal(moveSelection(n(1, 0), "x", sizes), null);
});
