import { test } from "node:test";
import assert from "node:assert/strict";
import { coordinate, parameterFor } from "../../static/js/parameters.js";

test("an edge is its weight, a neuron its bias, nothing the last layer's first weight", () => {
  assert.deepEqual(parameterFor({ kind: "e", l: 1, i: 0, j: 2 }, 2), { layer: 1, i: 0, j: 2 });
  assert.deepEqual(parameterFor({ kind: "n", col: 2, i: 1 }, 2), { layer: 1, i: 1, j: null });
  assert.deepEqual(parameterFor({ kind: "n", col: 0, i: 1 }, 2), { layer: 1, i: 0, j: 0 }); // an input
  assert.deepEqual(parameterFor(null, 3), { layer: 2, i: 0, j: 0 });
  assert.deepEqual(parameterFor({ kind: "e", l: 5, i: 0, j: 0 }, 2), { layer: 1, i: 0, j: 0 }); // stale
});

test("the API names parameters W<l>:<i>:<j> and b<l>:<i>", () => {
  assert.equal(coordinate({ layer: 1, i: 0, j: 2 }), "W1:0:2");
  assert.equal(coordinate({ layer: 0, i: 3, j: null }), "b0:3");
});
