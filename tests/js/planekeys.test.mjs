// The plane by keyboard (planekeys.js): where each key moves the cursor, and what it does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { centre, planeKey, STEPS } from "../../static/js/planekeys.js";

const RANGE = { x: [-2, 2], y: [-1, 1] };

test("the cursor starts at the plot's centre", () => {
  assert.deepEqual(centre(RANGE), { x: 0, y: 0 });
  assert.deepEqual(centre({ x: [1, 3], y: [10, 20] }), { x: 2, y: 15 });
});

test("arrows move it a twentieth of the plot, up is +y as on the axes; Shift a hundredth", () => {
  const at = { x: 0, y: 0 };
  assert.deepEqual(planeKey("ArrowRight", false, at, RANGE), { move: { x: 4 / STEPS, y: 0 } });
  assert.deepEqual(planeKey("ArrowLeft", false, at, RANGE), { move: { x: -4 / STEPS, y: 0 } });
  assert.deepEqual(planeKey("ArrowUp", false, at, RANGE), { move: { x: 0, y: 2 / STEPS } });
  assert.deepEqual(planeKey("ArrowDown", true, at, RANGE), { move: { x: 0, y: -0.02 } });
});

test("it stays inside the plot", () => {
  assert.deepEqual(planeKey("ArrowRight", false, { x: 1.99, y: 0.5 }, RANGE), { move: { x: 2, y: 0.5 } });
  assert.deepEqual(planeKey("ArrowDown", false, { x: 0, y: -1 }, RANGE), { move: { x: 0, y: -1 } });
});

test("Enter and Space add, Delete and Backspace remove, Escape leaves; other keys are the page's", () => {
  const at = { x: 0, y: 0 };
  for (const key of ["Enter", " "]) assert.deepEqual(planeKey(key, false, at, RANGE), { add: true });
  for (const key of ["Delete", "Backspace"]) assert.deepEqual(planeKey(key, false, at, RANGE), { remove: true });
  assert.deepEqual(planeKey("Escape", false, at, RANGE), { leave: true });
  for (const key of ["n", "?", "1", "Tab"]) assert.equal(planeKey(key, false, at, RANGE), null);
});
