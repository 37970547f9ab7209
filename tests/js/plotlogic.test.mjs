// What the history plots do with new numbers (static/js/plotlogic.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { framePoints, historyPlan } from "../../static/js/plotlogic.js";

const rows = (n, evals = 0) => ({ step: Array.from({ length: n }, (_, k) => k), eval_step: Array(evals).fill(0) });

test("rows appended to curves already drawn extend them; with evaluations the plots redraw too", () => {
  assert.equal(historyPlan({ playing: false, rows: rows(1), length: 5, drawn: true }), "extend");
  assert.equal(historyPlan({ playing: false, rows: rows(1, 1), length: 5, drawn: true }), "extend-redraw");
});

test("a replaced history, a history that is all new rows, or plots not drawn yet: a redraw", () => {
  assert.equal(historyPlan({ playing: false, rows: null, length: 5, drawn: true }), "redraw");
  assert.equal(historyPlan({ playing: false, rows: rows(5), length: 5, drawn: true }), "redraw");
  assert.equal(historyPlan({ playing: false, rows: rows(1), length: 5, drawn: false }), "redraw");
});

test("while playing the history leaves the plots alone: the frames feed them", () => {
  assert.equal(historyPlan({ playing: true, rows: null, length: 5, drawn: true }), "none");
  assert.equal(historyPlan({ playing: true, rows: rows(1), length: 5, drawn: true }), "none");
});

test("frames become points: the loss with its penalty, null kept, one gradient norm per layer", () => {
  const layer = (g) => ({ grad_norm: g });
  const points = framePoints([
    { step: 3, loss: 0.5, penalty: 0.25, layers: [layer(1), layer(2)] },
    { step: 4, loss: null, penalty: 0, layers: [layer(3), layer(4)] },
  ]);
  assert.deepEqual(points, { steps: [3, 4], losses: [0.75, null], norms: [[1, 2], [3, 4]] });
});
