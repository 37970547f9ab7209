// What the history plots do with new numbers (static/js/plotlogic.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { framePoints, historyPlan, logTicks, positiveRange, ticksOver } from "../../static/js/plotlogic.js";

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

test("a log axis over a decade or two is labelled with whole values, not the first digit alone", () => {
  const ticks = logTicks([0.07, 0.9, 0.3]);
  const shown = ticks.tickvals.map((v, k) => [v, ticks.ticktext[k]]).filter(([v]) => v >= 0.07 && v <= 0.9);
  assert.deepEqual(shown, [[0.1, "0.1"], [0.2, "0.2"], [0.3, "0.3"], [0.5, "0.5"]]);
  assert.equal(ticks.tickmode, "array");
});

test("a range narrower than two ticks keeps plotly's own labels; NaN, ∞, 0 and negatives are not on a log axis", () => {
  assert.equal(logTicks([0.125, 0.148]), null);
  assert.deepEqual(logTicks([0.06, 0.55]).tickvals.filter((v) => v >= 0.06 && v <= 0.55), [0.1, 0.2, 0.3, 0.5]); // not 6 5 4 3 2 10⁻¹ 9 8 7 6
  assert.equal(logTicks([0.125, 0.148, NaN, Infinity, 0, -3, null]), null);
  assert.equal(logTicks([]), null);
  assert.deepEqual(logTicks([0.5, NaN, 50]).tickvals.filter((v) => v >= 0.5 && v <= 50), [0.5, 1, 2, 3, 5, 10, 20, 30, 50]);
});

test("far from 1, m×10ᵏ; over many decades, powers of ten, fewer as the decades grow", () => {
  const three = logTicks([2e-5, 1e-2]);
  assert.deepEqual(three.ticktext.slice(0, 4), ["10⁻⁵", "3×10⁻⁵", "10⁻⁴", "3×10⁻⁴"]);
  assert.equal(three.tickvals[1], 3e-5);
  const twelve = logTicks([1e-10, 50]); // 10⁻¹⁰ … 10²: every other power
  assert.deepEqual(twelve.ticktext, ["10⁻¹⁰", "10⁻⁸", "10⁻⁶", "10⁻⁴", "10⁻²", "1", "10²"]);
  assert.ok(logTicks([1e-300, 1e300]).tickvals.length <= 8);
  assert.deepEqual(logTicks([1, 3e305]).ticktext, ["1", "10¹⁰⁰", "10²⁰⁰", "10³⁰⁰"]); // a diverging loss: round powers
  assert.deepEqual(logTicks([3e-11, 1e29]).tickvals.filter((v) => v >= 3e-11 && v <= 1e29), [1e-10, 1, 1e10, 1e20]);
});

test("while playing the range widens by the new points alone: the ticks of all the points", () => {
  const drawn = [0.7, 0.5, null, NaN];
  const played = [[0.3, 0.09], [Infinity, 0.05]]; // one array a trace, as extendTraces takes them
  const range = positiveRange(played.flat(), positiveRange(drawn));
  assert.deepEqual(range, [0.05, 0.7]);
  assert.deepEqual(ticksOver(range), logTicks([...drawn, ...played.flat()]));
});
