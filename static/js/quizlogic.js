// Quiz mode's logic, apart from the page: which question a phase asks, which answer is right
// and why, and the quiz's place in the URL. Everything follows from the State, the step and the
// phase, so a shared link asks the same questions in the same order.
import { fmt } from "./store.js";

/** The kind of question asked before `phase` is shown. Backward phases alternate between the sign
 * of δ and the direction of a weight's arrow (both appear in that phase), so every step asks both. */
export function kindOf(phase, nLayers, step) {
  if (phase.startsWith("forward:")) return "forward";
  if (phase === "loss" || phase === "update") return phase;
  const l = Number(phase.split(":")[1]);
  return (nLayers - 1 - l + step) % 2 === 0 ? "delta" : "arrow";
}

/** A fixed pick among n from the question's place (FNV-1a): the same link, the same question. */
export function pick(n, ...parts) {
  let h = 2166136261;
  for (const ch of parts.join("|")) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % n;
}

/** The activation's middle: σ and softmax are probabilities, the others keep the sign of z. */
export function threshold(activation, nOut) {
  if (activation === "sigmoid") return 0.5;
  if (activation === "softmax") return 1 / nOut;
  return 0;
}

const num = (v) => fmt.num(v, 4);
const SYMBOL = { sigmoid: "σ" }; // how the page's formulas write an activation (σ′, tanh′, relu′)

/** The row a question is about: the one the page shows, or a fixed pick from the batch. */
function rowOf(state, sample, step, phase) {
  const B = state.batch.y.length;
  return sample === null ? pick(B, step, phase, "row") : Math.min(sample, B - 1);
}

/** A fixed pick among the indices whose value is not `bad` (0 for δ and gradients): a question
 * whose answer is "neither" teaches nothing. Falls back to any index. */
function pickIndex(values, bad, step, phase) {
  // Array.from: a big net's rows are Float32Arrays (frames.js), whose map makes numbers of [v, i]
  const good = Array.from(values, (v, i) => [v, i]).filter(([v]) => v !== bad && Number.isFinite(v)).map(([, i]) => i);
  const from = good.length ? good : Array.from(values, (_, i) => i);
  return from[pick(from.length, step, phase, "unit")];
}

/** A δ's or a gradient's sign as the quiz asks it. Exactly 0 is its own answer: a dead neuron
 * passes no error back, and a weight no sample's error reaches gets no arrow (graded
 * "negative" before, with a reason that called 0 negative). */
function signOf(v) {
  return v > 0 ? "positive" : v < 0 ? "negative" : "zero";
}

/**
 * The question asked before `phase` of `state` is shown. `sample` is the row the page shows
 * (null: the batch mean, then a fixed row is asked about). `preview` is {before, after}: the
 * batch loss now and after the step (the update question needs it). Returns
 * {kind, phase, prompt: {key, vars}, choices: [{value, key, vars}], answers: [values],
 *  reason: {key, vars}, highlight: {nodes, edges}, sample: the row (or "mean") that shows the answer,
 *  showWhileAsking: the row (or "mean") to show while asking, null when showing it would tell}.
 */
export function ask(state, phase, { sample = null, preview = null } = {}) {
  const step = state.step;
  const L = state.layers.length;
  const kind = kindOf(phase, L, step);
  if (kind === "forward") return askForward(state, phase, rowOf(state, sample, step, phase));
  if (kind === "loss") return askLoss(state, phase, sample);
  if (kind === "delta") return askDelta(state, phase, rowOf(state, sample, step, phase));
  if (kind === "arrow") return askArrow(state, phase);
  return askUpdate(state, phase, preview);
}

function askForward(state, phase, s) {
  const l = Number(phase.split(":")[1]);
  const layer = state.layers[l];
  const t = threshold(layer.activation, layer.a[s].length);
  const i = pickIndex(layer.a[s], t, state.step, phase);
  const a = layer.a[s][i];
  const z = layer.z[s][i];
  const side = a > t ? "above" : "below";
  const act = SYMBOL[layer.activation] ?? layer.activation;
  const family = ["sigmoid", "softmax"].includes(layer.activation) ? layer.activation : "other";
  const u = layer.bn?.u?.[s]?.[i]; // batch norm: the activation takes u = γ·ẑ + β, whose sign z need not have
  const reason = u === undefined
    ? { key: `quiz.why.forward_${family}_${side}`, vars: { a: num(a), z: num(z), t: num(t), act } }
    : { key: `quiz.why.forward_bn_${side}`, vars: { a: num(a), z: num(z), u: num(u), t: num(t), act } };
  return {
    kind: "forward",
    phase,
    prompt: { key: "quiz.q.forward", vars: { s, i, l: l + 1, t: num(t) } },
    choices: ["above", "below"].map((value) => ({ value, key: `quiz.a.${value}`, vars: { t: num(t) } })),
    answers: [side],
    reason,
    highlight: { nodes: [[l + 1, i]], edges: [] },
    sample: String(s),
    showWhileAsking: String(s),
  };
}

function askLoss(state, phase, sample) {
  const out = state.layers.at(-1).a;
  const y = state.batch.y;
  const L = state.layers.length;
  const gap = (s, k) => Math.abs(out[s][k] - y[s][k]);
  if (y[0].length === 1) { // one output: which sample is furthest off (at most four to choose from)
    const B = y.length;
    const rows = B <= 4 ? [...Array(B).keys()] : pickRows(B, 4, state.step);
    const worst = Math.max(...rows.map((s) => gap(s, 0)));
    const answers = rows.filter((s) => gap(s, 0) === worst).map(String);
    const s = Number(answers[0]);
    // among the rows offered (a batch may hold more); rows off by the same amount are all right
    const reason = answers.length > 1
      ? { key: "quiz.why.loss_rows_tied", vars: { rows: answers.join(", "), gap: num(worst) } }
      : { key: "quiz.why.loss_rows", vars: { s, yhat: num(out[s][0]), y: num(y[s][0]), gap: num(worst) } };
    return {
      kind: "loss",
      phase,
      prompt: { key: rows.length < B ? "quiz.q.loss_some_rows" : "quiz.q.loss_rows", vars: {} },
      choices: rows.map((r) => ({ value: String(r), key: "quiz.a.row", vars: { s: r, y: num(y[r][0]) } })),
      answers,
      reason,
      highlight: { nodes: [[L, 0]], edges: [] },
      sample: String(s),
      showWhileAsking: null, // the row with the answer
    };
  }
  const s = rowOf(state, sample, state.step, phase);
  const K = y[0].length;
  const outputs = [...Array(K).keys()];
  const worst = Math.max(...outputs.map((k) => gap(s, k)));
  const answers = outputs.filter((k) => gap(s, k) === worst).map(String);
  const k = Number(answers[0]);
  return {
    kind: "loss",
    phase,
    prompt: { key: "quiz.q.loss_outputs", vars: { s } },
    choices: outputs.map((o) => ({ value: String(o), key: "quiz.a.output", vars: { k: o } })),
    answers,
    reason: answers.length > 1
      ? { key: "quiz.why.loss_outputs_tied", vars: { outputs: answers.join(", "), gap: num(worst) } }
      : { key: "quiz.why.loss_outputs", vars: { k, yhat: num(out[s][k]), y: num(y[s][k]), gap: num(worst) } },
    highlight: { nodes: [[L, k]], edges: [] },
    sample: String(s),
    showWhileAsking: String(s),
  };
}

/** n distinct rows of B, fixed by the step. */
function pickRows(B, n, step) {
  const rows = [];
  for (let k = 0; rows.length < n; k++) {
    const r = pick(B, step, "loss", k);
    if (!rows.includes(r)) rows.push(r);
  }
  return rows.sort((a, b) => a - b);
}

function askDelta(state, phase, s) {
  const l = Number(phase.split(":")[1]);
  const layer = state.layers[l];
  const i = pickIndex(layer.delta[s], 0, state.step, phase);
  const delta = layer.delta[s][i];
  const sign = signOf(delta);
  const act = SYMBOL[layer.activation] ?? layer.activation;
  const last = l === state.layers.length - 1;
  const yhat = layer.a[s][i];
  const y = last ? state.batch.y[s][i] : null;
  // At an elementwise output whose ∂ℓ/∂ŷ has the sign of ŷ − y (every squared error, bce), δ's sign
  // is the side of the target the output sits on, since f′ > 0 there: the page's own sentence.
  const targetSide = last && layer.activation !== "softmax" && yhat !== y && Math.sign(layer.dL_da[s][i]) === Math.sign(yhat - y)
    && Math.sign(delta) === Math.sign(yhat - y);
  const dlda = layer.dL_da[s][i];
  let reason = { key: `quiz.why.delta_back_${sign}`, vars: { dlda: num(dlda), delta: num(delta), act } };
  const dldu = layer.bn?.delta_u?.[s]?.[i]; // batch norm: δ = ∂ℓ/∂z passes through the batch's mean and variance
  // 0 (every neuron of the layer off for this row, as in the dying-ReLU lesson): which factor is 0
  if (sign === "zero") reason = last ? { key: "quiz.why.delta_zero_output", vars: { yhat: num(yhat), y: num(y) } }
    : { key: `quiz.why.delta_zero_${dlda === 0 ? "none" : "off"}`, vars: { dlda: num(dlda), z: num(layer.z[s][i]), act } };
  else if (!last && dldu !== undefined) reason = { key: `quiz.why.delta_bn_${sign}`, vars: { delta: num(delta), dldu: num(dldu) } };
  else if (targetSide) reason = { key: `quiz.why.delta_out_${sign}`, vars: { yhat: num(yhat), y: num(y), act } };
  else if (last) reason = { key: `quiz.why.delta_output_${sign}`, vars: { yhat: num(yhat), y: num(y), delta: num(delta) } };
  return {
    kind: "delta",
    phase,
    prompt: { key: "quiz.q.delta", vars: { s, i, l: l + 1 } },
    choices: ["positive", "negative", "zero"].map((value) => ({ value, key: `quiz.a.${value}`, vars: {} })),
    answers: [sign],
    reason,
    highlight: { nodes: [[l + 1, i]], edges: [] },
    sample: String(s),
    showWhileAsking: String(s),
  };
}

function askArrow(state, phase) {
  const l = Number(phase.split(":")[1]);
  const dW = state.layers[l].dW;
  const flat = dW.flatMap((row) => Array.from(row)); // (rows may be Float32Arrays, which flat() keeps whole)
  const n = dW[0].length;
  const k = pickIndex(flat, 0, state.step, phase);
  const [i, j] = [Math.floor(k / n), k % n];
  const g = dW[i][j];
  const dir = { positive: "down", negative: "up", zero: "none" }[signOf(g)];
  return {
    kind: "arrow",
    phase,
    prompt: { key: "quiz.q.arrow", vars: { l, i, j } },
    choices: ["up", "down", "none"].map((value) => ({ value, key: `quiz.a.${value}`, vars: {} })),
    answers: [dir],
    reason: { key: `quiz.why.arrow_${dir}`, vars: { g: num(g) } },
    highlight: { nodes: [], edges: [[l, i, j]] },
    sample: "mean", // the arrow of the batch: −∂L/∂w, the one the update follows
    showWhileAsking: "mean",
  };
}

function askUpdate(state, phase, preview) {
  const { before, after } = preview ?? { before: state.loss, after: Number.NaN };
  const falls = after < before;
  const L = state.layers.length;
  return {
    kind: "update",
    phase,
    prompt: { key: "quiz.q.update", vars: {} },
    choices: ["yes", "no"].map((value) => ({ value, key: `quiz.a.${value}`, vars: {} })),
    answers: [falls ? "yes" : "no"],
    reason: { key: `quiz.why.update_${falls ? "falls" : "rises"}`,
              vars: { before: fmt.num(before, 6), after: fmt.num(after, 6) } },
    highlight: { nodes: Array.from(state.layers.at(-1).a[0], (_, k) => [L, k]), edges: [] },
    sample: "mean",
    showWhileAsking: "mean",
  };
}

/** Is `value` a right answer to `question`? */
export function check(question, value) {
  return question.answers.includes(value);
}
