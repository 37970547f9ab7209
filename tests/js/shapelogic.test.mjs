// + and − on the network: the hidden sizes they lead to, and the limits from /meta.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { hiddenLimits, reshape } from "../../static/js/shapelogic.js";

const meta = JSON.parse(readFileSync(new URL("./meta.json", import.meta.url)));
const limits = hiddenLimits(meta);

test("the limits are the server's", () => {
  assert.deepEqual(limits, { minWidth: 1, maxWidth: 512, maxLayers: 8 });
});

test("layers come and go at the output end, a new one as wide as the last", () => {
  assert.deepEqual(reshape([4, 2], "add-layer", null, limits), [4, 2, 2]);
  assert.deepEqual(reshape([], "add-layer", null, limits), [2]);
  assert.deepEqual(reshape([4, 2], "remove-layer", null, limits), [4]);
  assert.deepEqual(reshape([4], "remove-layer", null, limits), []);
  assert.equal(reshape([], "remove-layer", null, limits), null);
  assert.equal(reshape([1, 1, 1, 1, 1, 1, 1, 1], "add-layer", null, limits), null);
});

test("neurons stay between 1 and the widest layer allowed, and the list is not changed in place", () => {
  const hidden = [4, 2];
  assert.deepEqual(reshape(hidden, "add-neuron", 1, limits), [4, 3]);
  assert.deepEqual(reshape(hidden, "remove-neuron", 0, limits), [3, 2]);
  assert.deepEqual(hidden, [4, 2]);
  assert.equal(reshape([1], "remove-neuron", 0, limits), null);
  assert.equal(reshape([512], "add-neuron", 0, limits), null);
  assert.equal(reshape([4], "add-neuron", 3, limits), null);
});
