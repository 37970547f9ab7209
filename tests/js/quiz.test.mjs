// Quiz logic (static/js/quizlogic.js): questions fit their phase, answers and reasons follow the
// numbers, the URL round-trips. A hand-made 2-2-1 sigmoid state with numbers chosen to be checked
// by eye.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";

import { ask, check, kindOf, pick, threshold } from "../../static/js/quizlogic.js";
import { formatQuiz, nextPhase, parseQuiz, scored } from "../../static/js/quizstate.js";
import { model, phases } from "../../static/js/store.js";
import { META } from "./meta.mjs";

model.meta = META; // phases() are the server's list

function xorState(step = 0) {
  return {
    step,
    loss: 0.3,
    lr: 2,
    batch: { x: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [[0], [1], [1], [0]] },
    layers: [
      {
        activation: "sigmoid",
        z: [[0.5, -0.2], [0.7, -0.9], [-0.1, 0.4], [0.3, 0.6]],
        a: [[0.62, 0.45], [0.67, 0.29], [0.48, 0.6], [0.57, 0.65]],
        dL_da: [[0.01, -0.02], [-0.03, 0.04], [0.05, -0.06], [0.07, 0.08]],
        delta: [[0.002, -0.005], [-0.007, 0.008], [0.012, -0.014], [0.017, 0.018]],
        dW: [[0.003, -0.004], [0, 0.006]],
      },
      {
        activation: "sigmoid",
        z: [[0.4], [0.2], [-0.3], [0.9]],
        a: [[0.6], [0.55], [0.43], [0.71]],
        dL_da: [[0.6], [-0.45], [-0.57], [0.71]],
        delta: [[0.144], [-0.111], [-0.14], [0.146]],
        dW: [[-0.02, 0.03]],
      },
    ],
  };
}

test("every phase of a step asks a question of its own kind, and backward phases take turns", () => {
  const list = phases(2);
  assert.deepEqual(list.map((p) => kindOf(p, 2, 0)), ["forward", "forward", "loss", "delta", "arrow", "update"]);
  assert.deepEqual(list.map((p) => kindOf(p, 2, 1)), ["forward", "forward", "loss", "arrow", "delta", "update"]);
});

test("the same place gives the same pick; thresholds are the activation's middle", () => {
  assert.equal(pick(7, 3, "forward:0"), pick(7, 3, "forward:0"));
  assert.ok(new Set(Array.from({ length: 20 }, (_, s) => pick(4, s, "x"))).size > 1);
  assert.equal(threshold("sigmoid", 1), 0.5);
  assert.equal(threshold("softmax", 10), 0.1);
  assert.equal(threshold("tanh", 3), 0);
});

test("forward: above or below 0.5, said with σ's reason, on the row the page shows", () => {
  const q = ask(xorState(), "forward:0", { sample: 1 });
  assert.equal(q.kind, "forward");
  const [i] = q.highlight.nodes[0].slice(1);
  const a = xorState().layers[0].a[1][i];
  assert.equal(check(q, a > 0.5 ? "above" : "below"), true);
  assert.equal(check(q, a > 0.5 ? "below" : "above"), false);
  assert.equal(q.reason.key, `quiz.why.forward_sigmoid_${a > 0.5 ? "above" : "below"}`);
  assert.equal(q.sample, "1");
});

test("forward at the threshold itself: XOR's first row at step 0 (z = b = 0, a = σ(0) = 0.5 on every unit)", async () => {
  const st = xorState();
  st.layers[0].z[0] = [0, 0];
  st.layers[0].a[0] = [0.5, 0.5];
  const q = ask(st, "forward:0", { sample: 0 });
  assert.deepEqual(q.answers, ["below"]); // "0.5 or below"
  assert.equal(q.reason.key, "quiz.why.forward_sigmoid_below");
  for (const lang of ["en", "zh-Hans", "zh-Hant"]) { // said as "not above, z ≤ 0": it said "below 0.5 because 0 < 0"
    const catalogue = JSON.parse(await readFile(new URL(`../../static/i18n/${lang}.json`, import.meta.url)));
    assert.match(catalogue[q.reason.key], /≤ 0/, lang);
    assert.doesNotMatch(catalogue[q.reason.key], /< 0/, lang);
  }
});

test("loss with one output: the sample furthest from its target", () => {
  const q = ask(xorState(), "loss");
  // |ŷ − y| = 0.6, 0.45, 0.57, 0.71: sample 3
  assert.deepEqual(q.answers, ["3"]);
  assert.equal(q.choices.length, 4);
  assert.equal(check(q, "0"), false);
  assert.equal(q.reason.vars.gap, "0.71");
  assert.equal(q.showWhileAsking, null); // showing the worst row while asking would tell the answer
  assert.equal(q.sample, "3");
});

test("loss with several outputs: the output furthest from its target", () => {
  const st = xorState();
  st.batch.y = [[0, 1, 0]];
  st.layers[1].a = [[0.2, 0.5, 0.1]];
  const q = ask(st, "loss", { sample: 0 });
  assert.deepEqual(q.answers, ["1"]);
  assert.deepEqual(q.highlight.nodes, [[2, 1]]);
});

test("δ at the output: negative below the target, with the page's sentence", () => {
  const q = ask(xorState(0), "backward:1", { sample: 1 }); // ŷ = 0.55 < y = 1
  assert.equal(q.kind, "delta");
  assert.deepEqual(q.answers, ["negative"]);
  assert.equal(q.reason.key, "quiz.why.delta_out_negative");
  assert.equal(q.reason.vars.act, "σ"); // "… and σ′ > 0", in the page's words
  assert.equal(check(q, "positive"), false);
  const up = ask(xorState(0), "backward:1", { sample: 0 }); // ŷ = 0.6 > y = 0
  assert.deepEqual(up.answers, ["positive"]);
});

test("δ one layer back: the sign of what comes back through W", () => {
  const q = ask(xorState(1), "backward:0", { sample: 2 });
  assert.equal(q.kind, "delta");
  const i = q.highlight.nodes[0][1];
  assert.deepEqual(q.answers, [xorState().layers[0].delta[2][i] > 0 ? "positive" : "negative"]);
  assert.match(q.reason.key, /^quiz\.why\.delta_back_/);
});

/** The XOR state with batch norm on the hidden layer: u = γ·ẑ + β is what σ takes, and its sign
 * differs from z's on every row of neuron 0 (numbers of the batchnorm lesson's kind). */
function batchNormState() {
  const st = xorState(1);
  st.layers[0].bn = {
    u: [[-0.3, 0.2], [-0.5, -0.4], [0.4, 0.1], [-0.2, 0.5]],
    delta_u: [[-0.02, 0.03], [0.01, -0.04], [0.05, 0.02], [-0.06, 0.01]],
  };
  st.layers[0].a = st.layers[0].bn.u.map((row) => row.map((u) => 1 / (1 + Math.exp(-u))));
  return st;
}

test("batch norm: the forward reason gives u, the activation's input, not z", () => {
  // The batch-norm lesson's quiz said "a = σ(z) = 0.4808 is below 0.5 because z = 0.2198 < 0".
  const st = batchNormState();
  for (let s = 0; s < 4; s++) {
    const q = ask(st, "forward:0", { sample: s });
    const i = q.highlight.nodes[0][1];
    const u = st.layers[0].bn.u[s][i];
    assert.deepEqual(q.answers, [u > 0 ? "above" : "below"]);
    assert.equal(q.reason.key, `quiz.why.forward_bn_${u > 0 ? "above" : "below"}`);
    assert.equal(q.reason.vars.u, String(u));
    assert.equal(q.reason.vars.z, String(st.layers[0].z[s][i]));
  }
  const plain = ask(xorState(1), "forward:0", { sample: 0 }); // without batch norm: z, as before
  assert.match(plain.reason.key, /^quiz\.why\.forward_sigmoid_/);
});

test("batch norm: δ one layer back is not said to have the sign of ∂ℓ/∂a", () => {
  // δ = ∂ℓ/∂z mixes the batch through μ_B and σ²_B: its sign need not be ∂ℓ/∂a's.
  const st = batchNormState();
  const q = ask(st, "backward:0", { sample: 2 });
  const i = q.highlight.nodes[0][1];
  assert.equal(q.reason.key, `quiz.why.delta_bn_${st.layers[0].delta[2][i] > 0 ? "positive" : "negative"}`);
  assert.equal(q.reason.vars.dldu, String(st.layers[0].bn.delta_u[2][i]));
  const out = ask(st, "backward:1", { sample: 2 }); // the output layer has no batch norm
  assert.doesNotMatch(out.reason.key, /_bn_/);
});

test("arrow: blue ↑ when ∂L/∂w < 0, red ↓ when > 0; never a weight whose gradient is 0", () => {
  for (let step = 0; step < 30; step += 2) {
    const q = ask(xorState(step), "backward:0"); // arrow on even steps for the hidden layer
    assert.equal(q.kind, "arrow");
    const [l, i, j] = q.highlight.edges[0];
    const g = xorState().layers[l].dW[i][j];
    assert.notEqual(g, 0);
    assert.deepEqual(q.answers, [g < 0 ? "up" : "down"]);
    assert.equal(q.sample, "mean");
  }
  const out = ask(xorState(1), "backward:1");
  const [, i, j] = out.highlight.edges[0];
  assert.equal(xorState().layers[1].dW[i][j] < 0 ? "up" : "down", out.answers[0]);
});

test("a layer whose δ is 0 for the sample (every neuron off, the dying-ReLU lesson): 0 is the answer, said why", () => {
  const st = xorState(1); // δ on odd steps for the hidden layer
  st.layers[0].activation = "relu";
  st.layers[0].z[2] = [-0.1, -0.4]; // both off for sample 2: relu′ = 0
  st.layers[0].delta[2] = [0, 0];
  const q = ask(st, "backward:0", { sample: 2 });
  assert.equal(q.kind, "delta");
  assert.deepEqual(q.choices.map((c) => c.value), ["positive", "negative", "zero"]);
  assert.deepEqual(q.answers, ["zero"]); // was "negative": anything not above 0
  assert.equal(q.reason.key, "quiz.why.delta_zero_off");
  assert.equal(q.reason.vars.dlda, String(st.layers[0].dL_da[2][q.highlight.nodes[0][1]]));
  st.layers[0].dL_da[2] = [0, 0]; // nothing sent back either
  assert.equal(ask(st, "backward:0", { sample: 2 }).reason.key, "quiz.why.delta_zero_none");
  // a layer with δ of both signs and 0s never asks about a 0
  st.layers[0].delta[2] = [0, -0.3];
  assert.deepEqual(ask(st, "backward:0", { sample: 2 }).answers, ["negative"]);
});

test("a layer whose ∂L/∂W is all 0: no arrow is the answer, not red ↓", () => {
  const st = xorState();
  st.layers[0].dW = [[0, 0], [0, 0]];
  const q = ask(st, "backward:0"); // arrow at step 0 for the hidden layer
  assert.equal(q.kind, "arrow");
  assert.deepEqual(q.choices.map((c) => c.value), ["up", "down", "none"]);
  assert.deepEqual(q.answers, ["none"]);
  assert.equal(q.reason.key, "quiz.why.arrow_none");
});

test("the sample furthest off among those offered; samples tied are all right, and said so", () => {
  const st = xorState();
  st.layers[1].a = [[0.6], [0.4], [0.43], [0.6]]; // off by 0.6, 0.6, 0.57, 0.6
  const q = ask(st, "loss");
  assert.deepEqual(q.answers, ["0", "1", "3"]);
  assert.equal(q.reason.key, "quiz.why.loss_rows_tied");
  assert.equal(q.reason.vars.rows, "0, 1, 3");
  assert.equal(q.prompt.key, "quiz.q.loss_rows"); // the whole batch offered
  const big = { ...xorState(), batch: { x: Array(8).fill([0, 0]), y: Array(8).fill([0]) } };
  big.layers = [xorState().layers[0], { ...xorState().layers[1], a: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((v) => [v]) }];
  const some = ask(big, "loss");
  assert.equal(some.choices.length, 4);
  assert.equal(some.prompt.key, "quiz.q.loss_some_rows"); // "of these samples", not of the batch
  const offered = some.choices.map((c) => Number(c.value));
  assert.deepEqual(some.answers, [String(Math.max(...offered))]); // ŷ = 0.1·(s+1) against y = 0
});

test("update: yes when the batch loss falls after the step, no when it rises", () => {
  assert.deepEqual(ask(xorState(), "update", { preview: { before: 0.3, after: 0.29 } }).answers, ["yes"]);
  const q = ask(xorState(), "update", { preview: { before: 0.3, after: 0.31 } });
  assert.deepEqual(q.answers, ["no"]);
  assert.equal(q.reason.key, "quiz.why.update_rises");
});

test("the quiz in the URL round-trips, and nonsense is not a quiz", () => {
  for (const text of ["0-5", "10-15.3.4.2", "7-8.0.1.0"]) assert.equal(formatQuiz(parseQuiz(text)), text);
  for (const bad of ["", "5", "5-5", "6-5", "0-500", "0-5.3.2.1", "0-5.1.2.2", "a-b", "0-5.1"]) {
    assert.equal(parseQuiz(bad), null, bad);
  }
});

test("score and streak: a wrong answer ends the streak", () => {
  let q = parseQuiz("0-5");
  q = scored(q, true);
  q = scored(q, true);
  assert.deepEqual([q.right, q.asked, q.streak], [2, 2, 2]);
  q = scored(q, false);
  assert.deepEqual([q.right, q.asked, q.streak], [2, 3, 0]);
  assert.equal(formatQuiz(q), "0-5.2.3.0");
});

test("the next question's phase: from 'ready' to forward:0, none after the update or past the end", () => {
  const list = phases(2);
  const quiz = parseQuiz("0-2");
  assert.equal(nextPhase(list, "ready", 0, quiz), "forward:0");
  assert.equal(nextPhase(list, "loss", 1, quiz), "backward:1");
  assert.equal(nextPhase(list, "update", 1, quiz), null);
  assert.equal(nextPhase(list, "ready", 2, quiz), null);
});

test("every key a question can use is in all three catalogues", async () => {
  const keys = ["quiz.q.forward", "quiz.q.loss_rows", "quiz.q.loss_outputs", "quiz.q.delta", "quiz.q.arrow", "quiz.q.update"];
  for (const family of ["sigmoid", "softmax", "other", "bn"]) for (const side of ["above", "below"]) keys.push(`quiz.why.forward_${family}_${side}`);
  for (const sign of ["positive", "negative"]) keys.push(`quiz.why.delta_out_${sign}`, `quiz.why.delta_back_${sign}`, `quiz.why.delta_output_${sign}`, `quiz.why.delta_bn_${sign}`, `quiz.a.${sign}`);
  keys.push("quiz.why.loss_rows", "quiz.why.loss_outputs", "quiz.why.arrow_up", "quiz.why.arrow_down",
            "quiz.why.update_falls", "quiz.why.update_rises", "quiz.a.above", "quiz.a.below", "quiz.a.row",
            "quiz.a.output", "quiz.a.up", "quiz.a.down", "quiz.a.yes", "quiz.a.no", "quiz.a.zero", "quiz.a.none",
            "quiz.why.delta_zero_off", "quiz.why.delta_zero_none", "quiz.why.delta_zero_output", "quiz.why.arrow_none",
            "quiz.why.loss_rows_tied", "quiz.why.loss_outputs_tied", "quiz.q.loss_some_rows");
  // and the ones the questions above actually produced
  const st = xorState();
  for (const phase of phases(2)) {
    const q = ask(st, phase, { preview: { before: 1, after: 2 } });
    keys.push(q.prompt.key, q.reason.key, ...q.choices.map((c) => c.key));
  }
  for (const lang of ["en", "zh-Hans", "zh-Hant"]) {
    const catalogue = JSON.parse(await readFile(new URL(`../../static/i18n/${lang}.json`, import.meta.url)));
    for (const key of keys) assert.ok(catalogue[key], `${lang}: ${key}`);
  }
});

test("δ at a softmax output: ŷ − y, said as such (not as something sent back from above)", () => {
  const st = xorState(0);
  st.batch.y = [[0, 1, 0]];
  st.layers[1] = { activation: "softmax", z: [[0.1, 0.2, 0.3]], a: [[0.3, 0.33, 0.37]],
                   dL_da: [[0, -3.03, 0]], delta: [[0.3, -0.67, 0.37]], dW: [[0.1], [0.2], [0.3]] };
  const q = ask(st, "backward:1", { sample: 0 });
  const i = q.highlight.nodes[0][1];
  assert.deepEqual(q.answers, [st.layers[1].delta[0][i] > 0 ? "positive" : "negative"]);
  assert.match(q.reason.key, /^quiz\.why\.delta_output_/);
});

test("a big net's rows of Float32Arrays (a compact State) ask what plain arrays ask", () => {
  const typed = (rows) => rows.map((r) => Float32Array.from(r));
  for (let step = 0; step < 6; step++) {
    const plain = xorState(step);
    const packed = { ...plain, layers: plain.layers.map((l) => ({ ...l, z: typed(l.z), a: typed(l.a), dL_da: typed(l.dL_da), delta: typed(l.delta) })) };
    for (const phase of phases(2)) {
      if (phase === "update") continue; // needs the loss after the step
      const [mine, theirs] = [ask(packed, phase, { sample: 1 }), ask(plain, phase, { sample: 1 })];
      assert.deepEqual(mine.answers, theirs.answers, `${step} ${phase}`);
      assert.deepEqual(mine.highlight, theirs.highlight, `${step} ${phase}`);
      assert.equal(mine.prompt.vars.i, theirs.prompt.vars.i, `${step} ${phase}`);
    }
    const done = ask(packed, "update", { sample: 1, preview: { before: 0.3, after: 0.2 } });
    assert.deepEqual(done.highlight.nodes, [[2, 0]]);
  }
});
