// Tour cards (static/js/tourlogic.js): every number on a card is the State's number at the path
// it names, and each card's formula holds with those numbers (checked here by doing the arithmetic
// the formula writes). The State is a 2-2-1 sigmoid step computed below, independently of the page.
import assert from "node:assert/strict";
import { test } from "node:test";

import { cardAsks, fillCard, numbersOf, rowWithLabel, sub } from "../../static/js/tourlogic.js";

const sig = (z) => 1 / (1 + Math.exp(-z));

/** One forward/backward step of a 2-2-1 sigmoid net with ½ squared error, the way docs/conventions.md defines it. */
function xorStep() {
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const y = [[0], [1], [1], [0]];
  const W0 = [[0.3, -0.6], [0.8, 0.2]];
  const b0 = [0.1, -0.2];
  const W1 = [[0.5, -0.7]];
  const b1 = [0.05];
  const dense = (a, W, b) => a.map((r) => W.map((w, i) => w.reduce((s, wij, j) => s + wij * r[j], b[i])));
  const z0 = dense(x, W0, b0);
  const a0 = z0.map((r) => r.map(sig));
  const z1 = dense(a0, W1, b1);
  const a1 = z1.map((r) => r.map(sig));
  const dL1 = a1.map((r, s) => r.map((v, k) => v - y[s][k]));
  const d1 = dL1.map((r, s) => r.map((g, k) => g * a1[s][k] * (1 - a1[s][k])));
  const dL0 = d1.map((r) => [0, 1].map((i) => r.reduce((acc, dk, k) => acc + W1[k][i] * dk, 0)));
  const d0 = dL0.map((r, s) => r.map((g, i) => g * a0[s][i] * (1 - a0[s][i])));
  const grad = (d, aPrev) => d[0].map((_, i) => aPrev[0].map((_, j) => d.reduce((acc, r, s) => acc + r[i] * aPrev[s][j], 0) / d.length));
  const meanCols = (d) => d[0].map((_, i) => d.reduce((acc, r) => acc + r[i], 0) / d.length);
  const dW1 = grad(d1, a0);
  const loss = a1.reduce((acc, r, s) => acc + 0.5 * (r[0] - y[s][0]) ** 2, 0) / 4;
  const lr = 2;
  return {
    step: 0, loss, lr,
    batch: { x, y },
    layers: [
      { activation: "sigmoid", W: W0, b: b0, z: z0, a: a0, dL_da: dL0, delta: d0, dW: grad(d0, x), db: meanCols(d0),
        dW_applied: grad(d0, x).map((r) => r.map((g) => -lr * g)) },
      { activation: "sigmoid", W: W1, b: b1, z: z1, a: a1, dL_da: dL1, delta: d1, dW: dW1, db: meanCols(d1),
        dW_applied: dW1.map((r) => r.map((g) => -lr * g)) },
    ],
  };
}

const XOR_TOUR = [
  { kind: "forward", layer: 0, text: "t", sample: 3 },
  { kind: "forward", layer: 1, text: "t", sample: 3 },
  { kind: "loss", text: "t" },
  { kind: "delta_out", text: "t", sample: 3 },
  { kind: "delta_hidden", layer: 0, text: "t", sample: 3 },
  { kind: "dW", layer: 1, text: "t" },
  { kind: "update", layer: 1, text: "t" },
];

const at = (state, path) => path.split(".").reduce((o, k) => o[k], state);
const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

test("every number on every card is the State's number at its path, or the sum of those at its paths", () => {
  const state = xorStep();
  for (const card of XOR_TOUR) {
    const filled = fillCard(state, card);
    const numbers = numbersOf(filled);
    assert.ok(numbers.length >= 2, card.kind);
    for (const { v, path, sum } of numbers) {
      assert.equal(v, path ? at(state, path) : sum.reduce((total, one) => total + at(state, one), 0), `${card.kind} ${path ?? sum}`);
    }
  }
});

test("forward: z = Σ W·a + b and a = σ(z) hold with the card's numbers", () => {
  const state = xorStep();
  const filled = fillCard(state, XOR_TOUR[0]);
  assert.equal(filled.phase, "forward:0");
  assert.equal(filled.sample, "3");
  const [zLine, aLine] = filled.lines;
  const nums = zLine.filter((p) => typeof p === "object").map((p) => p.v);
  const [w0, x0, w1, x1, b, z] = nums;
  assert.ok(close(w0 * x0 + w1 * x1 + b, z));
  assert.ok(close(sig(z), aLine.find((p) => typeof p === "object").v));
  assert.deepEqual(filled.highlight.nodes, [[1, 0], [1, 1]]);
  assert.equal(filled.highlight.edges.length, 4);
});

test("loss: ½ · 1/B · Σ(ŷ − y)² is the batch loss", () => {
  const state = xorStep();
  const nums = numbersOf(fillCard(state, XOR_TOUR[2])).map((p) => p.v);
  const total = nums.pop();
  let sum = 0;
  for (let k = 0; k < nums.length; k += 2) sum += (nums[k] - nums[k + 1]) ** 2;
  assert.ok(close(0.5 * sum / 4, total));
});

test("δ at the output and one layer back: the chain rule with the card's numbers", () => {
  const state = xorStep();
  const out = fillCard(state, XOR_TOUR[3]);
  const [g, a, a2, d] = out.lines[1].filter((p) => typeof p === "object").map((p) => p.v);
  assert.equal(a, a2);
  assert.ok(close(g * a * (1 - a), d));
  const back = fillCard(state, XOR_TOUR[4]);
  const [h, h2, w, dk, dh] = back.lines[0].filter((p) => typeof p === "object").map((p) => p.v);
  assert.equal(h, h2);
  assert.ok(close(h * (1 - h) * w * dk, dh));
  assert.equal(back.phase, "backward:0");
});

test("dW = mean of δ·a over the batch; the update is −η·dW", () => {
  const state = xorStep();
  const card = fillCard(state, XOR_TOUR[5]);
  const nums = card.lines[0].filter((p) => typeof p === "object").map((p) => p.v);
  const dW = nums.pop();
  let sum = 0;
  for (let k = 0; k < nums.length; k += 2) sum += nums[k] * nums[k + 1];
  assert.ok(close(sum / 4, dW));
  const up = fillCard(state, XOR_TOUR[6]);
  const [lr, g, applied] = up.lines[0].filter((p) => typeof p === "object").map((p) => p.v);
  assert.ok(close(-lr * g, applied));
  const [w, step, after] = up.lines[1].filter((p) => typeof p === "object"); // the weight the update leaves
  assert.equal(step.v, applied);
  assert.equal(after.v, w.v + applied);
  assert.deepEqual(after.sum, [w.path, step.path]);
});

test("the digits' tour finds an image of its digit in the batch", () => {
  const state = xorStep();
  state.batch.y = [[1, 0, 0], [0, 0, 1], [0, 1, 0]];
  assert.equal(rowWithLabel(state, 2), 1);
  assert.equal(rowWithLabel(state, 7), 0); // none in the batch: the first image
  assert.equal(sub(12), "₁₂");
});

test("a negative number after an operator is in brackets, as on paper", () => {
  const state = xorStep();
  const text = (card) => fillCard(state, card).lines.map((parts) => parts.map((p) => (typeof p === "string" ? p : String(p.v))).join(""));
  const lines = XOR_TOUR.flatMap(text);
  for (const line of lines) assert.doesNotMatch(line, /[+·−]\s*-/, line); // never "+ -0.6" or "· -0.6"
  // W0[0][1] = -0.6 follows " + ": "0.3 · 1 + (-0.6) · 1 + 0.1"
  assert.ok(text(XOR_TOUR[0])[0].includes(" + (-0.6) · "), text(XOR_TOUR[0])[0]);
  assert.ok(lines.some((line) => line.startsWith("z₀ = ")), "a line that starts with a negative number keeps it plain");
});

/** A 4-sample State of a 2-layer net over 3 classes, numbers made up (only paths matter here). */
function digitsLike() {
  let seed = 1;
  const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  const rows = (B, n) => Array.from({ length: B }, () => Array.from({ length: n }, r));
  const layer = (n, m) => ({ W: rows(n, m), b: rows(1, n)[0], z: rows(4, n), a: rows(4, n), dL_da: rows(4, n),
                             delta: rows(4, n), dW: rows(n, m), db: rows(1, n)[0] });
  return { step: 3, loss: 1, lr: 0.5, batch: { x: rows(4, 6), y: [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]], index: [0, 1, 2, 3] },
           layers: [layer(5, 6), layer(3, 5)] };
}

/** What GET /state?fields=…&sample=k answers, as the page decodes it (app/serialize.py select,
 * app/sampled.py, static/js/frames.js sampleRows): the fields asked, each per-sample array
 * with only row k. */
function asked(state, { fields, sample }) {
  const names = fields.split(",");
  const k = Number(sample);
  const one = (rows) => { const out = new Array(rows.length); out[k] = rows[k]; out.only = k; return out; };
  const layerKeys = names.filter((f) => f.startsWith("layers.")).map((f) => f.slice(7));
  return {
    ...Object.fromEntries(names.filter((f) => !f.includes(".") && f !== "batch").map((f) => [f, state[f]])),
    batch: { ...state.batch, x: one(state.batch.x) },
    layers: state.layers.map((layer) => Object.fromEntries(layerKeys.map((key) => [key,
      ["z", "a", "dL_da", "delta"].includes(key) ? one(layer[key]) : layer[key]]))),
  };
}

test("a digits card is the same from the part of the State it asks for as from the whole", () => {
  const state = digitsLike();
  const cards = [{ kind: "wants_output", digit: 2, text: "t" }, { kind: "wants_hidden", digit: 2, layer: 0, text: "t" },
                 { kind: "batch_average", digit: 2, text: "t" }];
  for (const card of cards) {
    const asks = cardAsks(state, card);
    assert.equal(asks.sample, "1"); // the first image of a 2
    assert.ok(!asks.fields.split(",").some((f) => ["layers", "layers.W", "layers.a", "layers.z"].includes(f)), asks.fields);
    assert.deepEqual(fillCard(asked(state, asks), card), fillCard(state, card), card.kind);
  }
  assert.equal(cardAsks(state, { kind: "forward", layer: 0, text: "t" }), null); // a small net's card: the whole State
});
