// Which edge, which colour, which arrow: the network view's encoding, checked by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { describe, edgeValue, encodeEdges, encodeNodes, fillLevel, layerScales, nodeValues, short } from "../../static/js/encode.js";
import { decodeFrame } from "../../static/js/frames.js";
import { layoutColumns, columnSizes } from "../../static/js/layout.js";
import { model, revealed } from "../../static/js/store.js";
import { META } from "./meta.mjs";

model.meta = META; // the phases are the server's (GET /api/v1/meta)

// 2 → 2 → 1, a batch of two samples.
const state = {
  step: 3,
  batch: { index: [0, 1], x: [[1, 0], [0, 2]], y: [[1], [0]] },
  layers: [
    { activation: "tanh", W: [[0.5, -1], [2, 0]], dW: [[0.1, -0.2], [0, 0.4]], dW_applied: [[-0.05, 0.1], [0, -0.2]],
      a: [[0.2, -0.4], [0.6, 0.8]], delta: [[1, -1], [0.5, 2]] },
    { activation: "sigmoid", W: [[3, -4]], dW: [[-0.3, 0.6]], dW_applied: [[0.15, -0.3]],
      a: [[0.9], [0.1]], delta: [[-0.5], [0.25]] },
  ],
};
const scene = (opts = {}, probe = null) => ({
  state, inputShape: null, probe,
  opts: { view: "gradients", scale: "layer", sample: "mean", phase: "", sel: "", highlight: null, ...opts },
});
const columns = layoutColumns(columnSizes(state.layers), null, 800, 500);

test("gradients view shows the nudge −∂L/∂w; weights view w; update view the applied Δw", () => {
  assert.equal(edgeValue(scene(), 0, 0, 1), 0.2);
  assert.equal(edgeValue(scene({ view: "weights" }), 0, 0, 1), -1);
  assert.equal(edgeValue(scene({ view: "applied" }), 1, 0, 1), -0.3);
});

test("one sample's gradient is −δ_i · a_prev_j of that sample", () => {
  // layer 1, sample 1: δ = 0.25, a_prev = layer 0's a = [0.6, 0.8]
  assert.equal(edgeValue(scene({ sample: "1" }), 1, 0, 1), -0.25 * 0.8);
  // layer 0, sample 0: a_prev is the input x = [1, 0]
  assert.equal(edgeValue(scene({ sample: "0" }), 0, 1, 0), -(-1) * 1); // δ_1 = −1, x_0 = 1
});

test("scales: the largest |v| per layer, or one over all layers", () => {
  assert.deepEqual(layerScales(scene()), [0.4, 0.6]);
  assert.deepEqual(layerScales(scene({ scale: "global" })), [0.6, 0.6]);
});

test("colour by sign, width by |v| relative to the layer's scale, arrows up for positive", () => {
  const edges = encodeEdges(scene(), columns, revealed(2, ""));
  assert.equal(edges.length, 2 * 2 + 2);
  const e = (l, i, j) => edges.find((d) => d.l === l && d.i === i && d.j === j);
  assert.equal(e(0, 0, 1).color, "pos"); // −(−0.2) > 0
  assert.equal(e(0, 0, 0).color, "neg");
  assert.equal(e(0, 1, 0).color, "none"); // exactly 0
  assert.equal(e(0, 1, 1).arrow.dir, "down"); // −0.4, the layer's largest
  assert.equal(e(0, 0, 1).arrow.dir, "up");
  assert.ok(e(0, 1, 1).width > e(0, 0, 1).width);
  assert.equal(e(0, 1, 1).width, 6); // rel 1 in a layer of 4 edges
  assert.equal(encodeEdges(scene({ view: "weights" }), columns, revealed(2, "")).filter((d) => d.arrow).length, 0);
});

test("before its backward phase a layer's gradients are not known: grey, no arrows", () => {
  const edges = encodeEdges(scene(), columns, revealed(2, "backward:1"));
  assert.ok(edges.filter((d) => d.l === 0).every((d) => d.color === "none" && !d.arrow));
  assert.ok(edges.filter((d) => d.l === 1).every((d) => d.color !== "none"));
});

test("the selected edge is marked; an image input keeps each neuron's strongest pixels", () => {
  const edges = encodeEdges(scene({ sel: "e:1:0:1" }), columns, revealed(2, ""));
  assert.deepEqual(edges.filter((d) => d.selected).map((d) => [d.l, d.i, d.j]), [[1, 0, 1]]);
  const wide = { batch: { index: [0], x: [Array.from({ length: 16 }, (_, k) => k / 16)], y: [[1]] },
    layers: [{ activation: "relu", W: [Array.from({ length: 16 }, (_, k) => (k === 5 ? -9 : k / 100))],
               dW: [Array.from({ length: 16 }, () => 0)], a: [[1]], delta: [[0]] }] };
  const cols = layoutColumns([16, 1], [4, 4], 800, 500);
  const shown = encodeEdges({ state: wide, inputShape: [4, 4], probe: null,
    opts: { view: "weights", scale: "layer", sample: "mean", phase: "", sel: "" } }, cols, revealed(1, ""));
  assert.deepEqual(shown.map((d) => d.j).sort((a, b) => a - b), [5, 11, 12, 13, 14, 15]);
});

test("nodes: batch means, fill level by activation function, δ ring by sign", () => {
  assert.deepEqual(nodeValues(scene(), 1), [0.4, 0.2]);
  assert.equal(fillLevel("sigmoid", 0.3, 1), 0.3);
  assert.equal(fillLevel("tanh", 0, 1), 0.5);
  assert.equal(fillLevel("relu", 2, 4), 0.5);
  assert.equal(fillLevel("sigmoid", NaN, 1), 0);
  const nodes = encodeNodes(scene(), columns, revealed(2, ""));
  const out = nodes.find((n) => n.col === 2);
  assert.equal(out.ring.color, "pos"); // mean δ = −0.125: −δ > 0
  assert.equal(nodes.find((n) => n.col === 1 && n.i === 1).ring.color, "neg"); // mean δ 0.5
  assert.equal(encodeNodes(scene(), columns, revealed(2, "forward:0")).find((n) => n.col === 2).fill, 0);
});

test("an input's value needs only its circle; a neuron's δ, room below and beside it", () => {
  const low = layoutColumns(columnSizes(state.layers), null, 800, 220); // two rows 84 px apart: no room for δ
  assert.ok(low[1].gap < 90 && low[0].r >= 16);
  const nodes = encodeNodes(scene(), low, revealed(2, ""));
  const at = (col, i) => nodes.find((n) => n.col === col && n.i === i);
  assert.deepEqual([at(0, 0).value, at(0, 1).value], [0.5, 1]); // the batch mean of x
  assert.equal(at(1, 0).value, null);
  assert.equal(at(1, 0).delta, null);
  assert.equal(at(2, 0).value, 0.5); // the lone output, alone in its column
  const tiny = layoutColumns(columnSizes(state.layers), null, 800, 60); // circles too small for a number
  assert.equal(encodeNodes(scene(), tiny, revealed(2, "")).find((n) => n.col === 0).value, null);
});

test("crowded outputs say which is which, a lone one does not", () => {
  const narrow = layoutColumns(columnSizes(state.layers), null, 200, 500); // columns 56 px apart
  assert.ok(narrow[2].colGap < 70);
  assert.equal(encodeNodes(scene(), narrow, revealed(2, "")).find((n) => n.col === 2).index, null);
  const two = { ...state, batch: { ...state.batch, y: [[1, 0], [0, 1]] },
                layers: [state.layers[0], { ...state.layers[1], W: [[3, -4], [1, 1]], a: [[0.9, 0.1], [0.1, 0.9]],
                                            delta: [[-0.5, 0.5], [0.25, -0.25]] }] };
  const sceneOfTwo = { ...scene(), state: two };
  const nodes = encodeNodes(sceneOfTwo, layoutColumns(columnSizes(two.layers), null, 200, 500), revealed(2, ""));
  assert.deepEqual(nodes.filter((n) => n.col === 2).map((n) => n.index), ["0", "1"]);
});

test("a frame played for one sample lacks the other rows' inputs: they draw as not known until theirs come", () => {
  const played = { ...state, batch: { ...state.batch, x: [undefined, [0, 2]] } }; // sample 1's inputs only (frames.js)
  const at = (opts) => ({ ...scene(opts), state: played });
  assert.deepEqual(nodeValues(at({ sample: "1" }), 0), [0, 2]);
  assert.equal(edgeValue(at({ sample: "1" }), 0, 0, 1), -0.5 * 2); // δ_0 = 0.5 and x_1 = 2 of sample 1
  assert.equal(nodeValues(at({ sample: "0" }), 0), null);
  assert.equal(nodeValues(at({ sample: "mean" }), 0), null);
  assert.equal(edgeValue(at({ sample: "0" }), 0, 0, 1), 0);
  const nodes = encodeNodes(at({ sample: "0" }), columns, revealed(2, ""));
  assert.ok(nodes.filter((n) => n.col === 0).every((n) => n.fill === 0 && n.level === 0));
  assert.ok(encodeEdges(at({ sample: "0" }), columns, revealed(2, "")).length > 0);
  // sample 1's rows of everything, sparse as frames.js decodes them (app/sampled.py): the mean is not known
  const only = (rows) => Object.assign(new Array(2), { 1: rows[1], only: 1 });
  const sampled = { ...state, batch: { ...state.batch, x: only(state.batch.x) },
    layers: state.layers.map((layer) => ({ ...layer, a: only(layer.a), delta: only(layer.delta) })) };
  const of = (opts) => ({ ...scene(opts), state: sampled });
  assert.equal(nodeValues(of({ sample: "mean" }), 1), null);
  assert.equal(edgeValue(of({ sample: "0" }), 1, 0, 1), 0);
  const meanNodes = encodeNodes(of({ sample: "mean" }), columns, revealed(2, ""));
  assert.ok(meanNodes.every((n) => n.ring === null && n.fill === 0));
  assert.deepEqual(encodeNodes(of({ sample: "1" }), columns, revealed(2, "")).find((n) => n.col === 2).ring.color, "neg");
});

test("short numbers for small circles", () => {
  assert.equal(short(0.123456), "0.123");
  assert.equal(short(12345), "1.2e+4");
  assert.equal(short(NaN), "NaN");
  assert.equal(short(-Infinity), "−∞");
  assert.equal(short(null), "—");
  assert.equal(short(0), "0");
  assert.equal(short(9.60123e-4, 5), "9.6012e-4"); // a tooltip's digits, as beside it 0.0013174
  assert.equal(short(0.00131744, 5), "0.0013174");
});

test("two digits where room is short: a large number's exponent keeps one digit before it", () => {
  // the exploding lesson's output, 1.3e+142, ran out of its circle: "fewer digits" gave the same text
  assert.equal(short(1.3e142), "1.3e+142");
  assert.equal(short(1.3e142, 2), "1e+142");
  assert.equal(short(-2.6e-5, 2), "-3e-5");
  assert.equal(short(0.123456, 2), "0.12");
  assert.equal(short(12345, 5), "1.2345e+4"); // a tooltip's five digits, in the exponent's form too
});

// app/sampled.py: the per-sample arrays of the sample shown (or their mean), as a big net's
// State at rest carries them, decoded by frames.js.
const oneSample = (sample) => {
  const cut = (rows) => (sample === "mean"
    ? { dtype: "mean", shape: [rows.length, rows[0].length], data: rows[0].map((_, i) => rows.reduce((s, r) => s + r[i], 0) / rows.length) }
    : { dtype: "row", shape: [rows.length, rows[0].length], row: Number(sample), data: rows[Number(sample)] });
  return decodeFrame({
    ...state,
    batch: { ...state.batch, x: cut(state.batch.x) },
    layers: state.layers.map((layer) => ({ ...layer, a: cut(layer.a), delta: cut(layer.delta) })),
  });
};

test("one sample's rows, or their mean, draw what every row draws", () => {
  for (const sample of ["0", "1", "mean"]) {
    const cut = oneSample(sample);
    assert.equal(cut.layers[0].a.length, 2); // B rows, of which one (or none) is there
    assert.equal(cut.layers[0].a[sample === "0" ? 1 : 0], undefined);
    for (const view of ["gradients", "weights", "applied"]) {
      const opts = { view, scale: "layer", sample, phase: "", sel: "", highlight: null };
      const full = { state, inputShape: null, probe: null, opts };
      const mine = { state: cut, inputShape: null, probe: null, opts };
      assert.deepEqual(encodeEdges(mine, columns, revealed(2, "")), encodeEdges(full, columns, revealed(2, "")), `${view} ${sample}`);
      assert.deepEqual(encodeNodes(mine, columns, revealed(2, "")), encodeNodes(full, columns, revealed(2, "")), `${view} ${sample}`);
      for (const target of [{ kind: "e", l: 0, i: 1, j: 0 }, { kind: "n", col: 1, i: 1 }, { kind: "n", col: 0, i: 0 }]) {
        assert.equal(describe(mine, target), describe(full, target), `${view} ${sample} ${target.kind}`);
      }
    }
  }
});

test("the tooltip gives no number for a weight a compact frame did not send", () => {
  // the digit net's first layer on a phone: each row's largest weights only (frames.js fillTop);
  // W0[0][0] was not sent and is a filler 0, not the weight
  const top = decodeFrame({ ...state, layers: [{ ...state.layers[0],
    W: { partial: true, shape: [2, 2], top: [[1], [0]], values: [-1, 2] } }, state.layers[1]] });
  assert.equal(top.layers[0].W[0][0], 0);
  const sceneOf = (st) => ({ state: st, inputShape: null, probe: null,
    opts: { view: "gradients", scale: "layer", sample: "mean", phase: "", sel: "", highlight: null } });
  const tip = (target) => describe(sceneOf(top), target).split("\n")[0];
  assert.equal(tip({ kind: "e", l: 0, i: 0, j: 0 }), "W0[0][0] = tip.unsent");
  assert.equal(tip({ kind: "e", l: 0, i: 0, j: 1 }), "W0[0][1] = ≈ -1"); // sent: its (packed) value
  assert.equal(describe(scene(), { kind: "e", l: 0, i: 0, j: 0 }).split("\n")[0], "W0[0][0] = 0.5"); // a whole matrix
  const topGrad = decodeFrame({ ...state, layers: [{ ...state.layers[0],
    dW: { partial: true, shape: [2, 2], top: [[1], [0]], values: [-0.2, 0] } }, state.layers[1]] });
  assert.equal(describe(sceneOf(topGrad), { kind: "e", l: 0, i: 0, j: 0 }).split("\n")[2], "∂L/∂w = tip.unsent");
  assert.equal(describe(sceneOf(topGrad), { kind: "e", l: 0, i: 0, j: 1 }).split("\n")[2], "∂L/∂w = ≈ -0.2");
});
