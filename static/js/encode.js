// What the network view shows, as data: for each edge its signed value, colour, width, opacity
// and arrow; for each neuron its fill, δ ring and labels. Pure — no canvas, no DOM — so it runs
// under `node --test` (tests/js/encode.test.mjs); network.js only paints what this returns.
//
// Edge colour is a signed value v: "pos" (blue) when v > 0, "neg" (red) when v < 0.
//   weights view:   v = w                   (blue positive weight, red negative)
//   gradients view: v = −∂L/∂w, the nudge    (blue ↑: the loss falls if w grows)
//   update view:    v = Δw actually applied  (blue: w grew)
// Width and arrow length grow with |v|, scaled per layer or over the whole network.
//
// A scene is {state, inputShape, probe, opts: {view, scale, sample, phase, sel, highlight}}.
// Matrices may be nested arrays or rows of typed arrays (a compact frame, app/frames.py).

import { nodePoint } from "./layout.js";
import { parseSelection } from "./hittest.js";
import { nonFinite } from "./numbers.js";
import { halfStepAt } from "./frames.js";
import { t } from "./i18n.js";
import { revealed } from "./store.js";

export const IMAGE_EDGES_PER_NEURON = 6; // a 784-wide input shows each neuron's strongest pixels
export const ARROW_MAX_EDGES = 40;       // arrows on small nets only: beyond this they are noise
export const LABEL_MIN_GAP = 90;         // px between neurons needed to print a, δ without overlap
export const LABEL_MIN_COL_GAP = 70;     // px between columns for the same (δ 0.0943 is about 60 px wide)
export const LABEL_MIN_R = 16;           // px of radius for a value inside its circle (two digits at 11 px)

/** The batch row shown (null: the batch mean). */
export function sampleIndex(scene) {
  const s = scene.opts.sample;
  return s === "mean" ? null : Math.min(Number(s), scene.state.batch.index.length - 1);
}

/** The signed value v of edge (l, i, j) in the current view (see the header). */
export function edgeValue(scene, l, i, j) {
  const { state, probe, opts } = scene;
  const layer = state.layers[l];
  if (probe?.grads && opts.view === "gradients") return -probe.grads[l][i][j];
  if (opts.view === "weights" || probe) return layer.W[i][j];
  if (opts.view === "applied") return layer.dW_applied?.[i][j] ?? 0; // none yet: on its way (networkpanel.js)
  const s = sampleIndex(scene);
  if (s === null) return -layer.dW[i][j];
  const aPrev = l === 0 ? state.batch.x[s] : state.layers[l - 1].a[s];
  const delta = layer.delta[s];
  return aPrev && delta ? -delta[i] * aPrev[j] : 0; // a played frame for another sample: its rows are on their way
}

/** The matrix whose |entries| are the edge values' sizes in this view, when there is one. */
function rankedMatrix(scene, l) {
  const { state, probe, opts } = scene;
  const layer = state.layers[l];
  if (probe?.grads && opts.view === "gradients") return null;
  if (opts.view === "weights" || probe) return layer.W;
  if (opts.view === "applied") return layer.dW_applied ?? null;
  return sampleIndex(scene) === null ? layer.dW : null;
}

/** Largest |v| per layer, or one over all layers with the global scale. */
export function layerScales(scene) {
  const per = scene.state.layers.map((layer, l) => {
    let max = 0;
    const ranked = rankedMatrix(scene, l);
    if (ranked?.top) { // a compact frame's wide matrix: a row's largest |v| is the first of its top
      for (let i = 0; i < ranked.length; i++) max = Math.max(max, Math.abs(ranked[i][ranked.top[i][0]]) || 0);
      return max; // (while playing, its other entries may be a frame older: app/frames.py)
    }
    for (let i = 0; i < layer.W.length; i++) {
      for (let j = 0; j < layer.W[i].length; j++) max = Math.max(max, Math.abs(edgeValue(scene, l, i, j)) || 0);
    }
    return max; // 0 when a layer's values all are: saturated units pass no gradient, and the legend says so
  });
  if (scene.opts.scale === "global") {
    const top = Math.max(...per);
    return per.map(() => top);
  }
  return per;
}

// A State asked for the batch mean carries it (app/sampled.py, frames.js): `rows.mean`.
const columnMean = (rows) => rows.mean ?? Array.from(rows[0], (_, i) => rows.reduce((sum, r) => sum + r[i], 0) / rows.length);
const everyRow = (rows) => Array.from(rows).every(Boolean); // (a sparse array's holes count: `every` skips them)
/** The batch mean of per-sample rows, or null when the State carries another sample's row alone. */
const batchMean = (rows) => (rows.mean || everyRow(rows) ? columnMean(rows) : null);

/** The activation shown in a node: one sample's, or the batch mean. A State may carry one
 * sample's per-sample rows alone, or their mean (app/sampled.py): until the State asked for
 * another sample brings its own (a frame of the stream played anew), a row it lacks is drawn
 * as not known (null). */
export function nodeValues(scene, column) {
  const { state, probe } = scene;
  if (probe) return column === 0 ? probe.x : probe.layers[column - 1];
  const rows = column === 0 ? state.batch.x : state.layers[column - 1].a;
  const s = sampleIndex(scene);
  return s !== null ? rows[s] ?? null : batchMean(rows);
}

export function deltaValues(scene, column) {
  if (scene.probe) return scene.probe.deltas[column - 1];
  const rows = scene.state.layers[column - 1].delta;
  const s = sampleIndex(scene);
  return s !== null ? rows[s] ?? null : batchMean(rows);
}

/** A number short enough for a node: 3 significant digits, exponent beyond [0.001, 1000). */
export function short(v, digits = 3) {
  const named = nonFinite(v); // a diverged run's NaN / ∞, not a dash that reads as "nothing"
  if (named) return named;
  if (v === null || v === undefined) return "—";
  if (v === 0) return "0";
  const a = Math.abs(v);
  // fewer digits are asked for where room is short: 1e+142 rather than 1.3e+142; a tooltip's five
  // keep five (9.6012e-4 beside 0.0013174, not 9.6e-4)
  if (a >= 1000 || a < 0.001) return v.toExponential(digits < 3 ? 0 : digits > 3 ? digits - 1 : 1);
  return Number(v.toPrecision(digits)).toString();
}

/** Every edge drawn: {l, i, j, v, color, width, alpha, x1, y1, x2, y2, selected, hot, arrow}.
 * `show` is revealed(nLayers, phase); `fade` (0..1) eases in what the current phase reveals. */
export function encodeEdges(scene, columns, show, fade = 1) {
  const { state, probe, opts } = scene;
  const scales = layerScales(scene);
  const out = [];
  const sel = parseSelection(opts.sel);
  const hot = opts.highlight?.edges ?? [];
  for (let l = 0; l < state.layers.length; l++) {
    const from = columns[l];
    const to = columns[l + 1];
    const W = state.layers[l].W;
    // In the gradient view a layer's edges get their colour when its backward phase is reached.
    const known = opts.view === "weights" || Boolean(probe)
      || (opts.view === "gradients" ? show.backward(l) : show.update);
    const justNow = show.active === `backward:${l}` || (show.active === "update" && opts.view === "applied");
    const pairs = [];
    const ranked = from.image ? rankedMatrix(scene, l) : null;
    if (ranked?.top) { // a compact frame's exact ranking: 8 bits would tie the pixels compared
      for (let i = 0; i < W.length; i++) for (const j of ranked.top[i].slice(0, IMAGE_EDGES_PER_NEURON)) pairs.push([i, j]);
    } else if (from.image) {
      for (let i = 0; i < W.length; i++) {
        const ranked = Array.from(W[i], (_, j) => [Math.abs(edgeValue(scene, l, i, j)), j]).sort((a, b) => b[0] - a[0]);
        for (const [, j] of ranked.slice(0, IMAGE_EDGES_PER_NEURON)) pairs.push([i, j]);
      }
    } else {
      for (let i = 0; i < W.length; i++) for (let j = 0; j < W[i].length; j++) pairs.push([i, j]);
    }
    const arrows = opts.view !== "weights" && (!probe || Boolean(probe.grads)) && known && pairs.length <= ARROW_MAX_EDGES;
    // Dense layers get thinner, fainter lines, so the strong ones still stand out.
    const maxWidth = pairs.length <= 16 ? 6 : pairs.length <= 64 ? 4 : 2.2;
    const maxAlpha = pairs.length <= 64 ? 1 : 0.75;
    for (const [i, j] of pairs) {
      const v = edgeValue(scene, l, i, j);
      const rel = !Number.isFinite(v) ? 1 : scales[l] > 0 ? Math.min(1, Math.abs(v) / scales[l]) : 0;
      const [x1, y1] = nodePoint(from, j, scene.inputShape);
      const [x2, y2] = [to.x, to.ys[i]];
      const color = !known || v === 0 || Number.isNaN(v) ? "none" : v > 0 ? "pos" : "neg"; // NaN has no sign
      const width = known ? 0.4 + (maxWidth - 0.4) * rel ** 0.75 : 0.6;
      const alpha = (known ? 0.06 + (maxAlpha - 0.06) * rel ** 0.9 : 0.22) * (justNow ? fade : 1);
      const selected = Boolean(sel && sel.kind === "e" && sel.l === l && sel.i === i && sel.j === j);
      const isHot = hot.some(([hl, hi, hj]) => hl === l && hi === i && hj === j);
      let arrow = null;
      if (arrows && color !== "none") {
        const len = (4 + 16 * rel) * (justNow ? fade : 1);
        arrow = { dir: v > 0 ? "up" : "down", x: x1 + (x2 - x1) * 0.55, y: y1 + (y2 - y1) * 0.55,
                  dy: v > 0 ? -len : len, width: Math.max(1.2, width * 0.8), alpha: 0.35 + 0.65 * rel };
      }
      out.push({ l, i, j, v, color, width, alpha, x1, y1, x2, y2, selected, hot: isHot, arrow });
    }
  }
  return out;
}

/** How full a neuron is drawn (0..1) for activation a under its activation function. */
export function fillLevel(act, a, maxAbs) {
  const level = ["sigmoid", "softmax"].includes(act) ? a : act === "tanh" ? (a + 1) / 2 : Math.abs(a) / maxAbs;
  return Math.max(0, Math.min(1, Number.isFinite(level) ? level : 0));
}

/** Every column's neurons: {col, i, x, y, r, level, fill, ring, selected, hot, value, delta,
 * target, index}; an image column is one {col, i: -1, image: true, pixels}. */
export function encodeNodes(scene, columns, show, fade = 1) {
  const { state, probe, opts } = scene;
  const out = [];
  const sel = parseSelection(opts.sel);
  const hot = opts.highlight?.nodes ?? [];
  const last = columns.length - 1;
  const s = sampleIndex(scene);
  for (let col = 0; col < columns.length; col++) {
    const column = columns[col];
    const known = col === 0 || show.forward(col - 1);
    const values = known ? nodeValues(scene, col) : null;
    if (column.image) {
      out.push({ col, i: -1, image: true, pixels: values, x: column.x, y: column.top + column.side / 2,
                 r: column.side / 2, column });
      continue;
    }
    const act = col === 0 ? "linear" : state.layers[col - 1].activation;
    const maxAbs = values ? Math.max(1e-12, ...Array.from(values, (v) => Math.abs(v) || 0)) : 1;
    const deltaKnown = col > 0 && show.backward(col - 1) && (!probe || Boolean(probe.deltas));
    const deltas = deltaKnown ? deltaValues(scene, col) : null;
    const maxDelta = deltas ? Math.max(1e-12, ...Array.from(deltas, (v) => Math.abs(v) || 0)) : 1;
    // A neuron's δ is printed below it, between its neighbours; an input has none: its value,
    // inside its circle, needs only the circle (a deep net's two inputs kept their numbers).
    const labels = col === 0 ? column.r >= LABEL_MIN_R : column.gap >= LABEL_MIN_GAP && column.colGap >= LABEL_MIN_COL_GAP;
    for (let i = 0; i < column.n; i++) {
      const level = values ? fillLevel(act, values[i], maxAbs) : 0;
      const fill = values ? 0.08 + 0.92 * level * (col > 0 && show.active === `forward:${col - 1}` ? fade : 1) : 0;
      let ring = null;
      if (deltas && Number.isFinite(deltas[i])) { // −δ, the nudge this neuron's z wants
        const rel = Math.abs(deltas[i]) / maxDelta;
        ring = { color: -deltas[i] > 0 ? "pos" : "neg", width: 1 + 4 * rel,
                 alpha: (0.3 + 0.7 * rel) * (show.active === `backward:${col - 1}` ? fade : 1) };
      }
      let target = null;
      if (col === last && show.loss && labels) {
        const ys = state.batch.y;
        target = s === null ? ys.reduce((sum, row) => sum + row[i], 0) / ys.length : ys[s][i];
      }
      out.push({
        col, i, x: column.x, y: column.ys[i], r: column.r, level, fill, ring,
        selected: Boolean(sel && sel.kind === "n" && sel.col === col && sel.i === i),
        hot: hot.some(([hc, hi]) => hc === col && hi === i),
        value: labels && values ? values[i] : null,
        delta: labels && values && deltas ? deltas[i] : null,
        // which output is which, where they are too crowded for their targets (a lone output is no question)
        target, index: col === last && !labels && column.n > 1 ? String(i) : null,
      });
    }
  }
  return out;
}

/** How precisely entry (i, j) of a State's array is known: exact, or from a compact frame
 * (frames.js) to the digits its float holds, or within e, half a level of its 8-bit packing. */
export function entryPrecision(rows, i, j = null) {
  if (!rows?.approx) return { approx: false, e: 0, digits: 5 };
  return { approx: true, e: halfStepAt(rows, i, j), digits: (rows.whole ?? rows).digits ?? 5 };
}

/** A number as precisely as it is known: exact to 5 digits; "≈ v" to the digits of its float;
 * "≈ v ± e" (e rounded up to one digit, v to e's decimal place) for 8-bit levels. Five digits of
 * a level said more than it knows: a digit net's W0[2][205] read ≈ -0.051725 for -0.050254. */
export function approxText(v, { approx = false, e = 0, digits = 5 } = {}) {
  if (!approx) return short(v, 5);
  if (!(e > 0) || !Number.isFinite(v)) return `≈ ${short(v, digits)}`;
  const unit = 10 ** Math.floor(Math.log10(e));
  const bound = Math.ceil(e / unit - 1e-9) * unit; // one significant digit, never below e
  const decimals = Math.max(0, -Math.floor(Math.log10(bound)));
  if (decimals > 6 || Math.abs(v) >= 1e4) return `≈ ${short(v, 3)} ± ${short(bound, 1)}`;
  return `≈ ${v.toFixed(decimals)} ± ${bound.toFixed(decimals)}`;
}

/** Whether this State has entry (i, j) of a matrix: of a wide matrix sent as each row's largest
 * entries (frames.js fillTop), only those; the others are zeros or an older step's numbers. */
const sent = (rows, i, j) => rows?.whole === undefined || rows.top[i].includes(j);

const subscript = (n) => String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[d]);

/** The tooltip: the numbers the canvas draws for this edge or neuron — the selected sample's
 * or the batch mean's, saying which — and "not yet" before the phase that computes them. */
export function describe(scene, target) {
  const st = scene.state;
  const s = sampleIndex(scene);
  const which = s === null ? t("tip.mean", { B: st.batch.index.length }) : t("tip.sample", { s });
  const show = revealed(st.layers.length, scene.opts.phase);
  const notYet = t("inspector.not_yet");
  if (target.kind === "e") {
    const { l, i, j } = target;
    const layer = st.layers[l];
    const w = sent(layer.W, i, j) ? `W${l}[${i}][${j}] = ${approxText(layer.W[i][j], entryPrecision(layer.W, i, j))}`
      : `W${l}[${i}][${j}] = ${t("tip.unsent")}`; // a phone's digit net: only the weights it draws came
    if (!show.backward(l)) return `${w}\n∂L/∂w: ${notYet}`;
    const aPrev = s === null ? null : (l === 0 ? st.batch.x[s] : st.layers[l - 1].a[s]);
    if (s !== null && !(aPrev && layer.delta[s])) return `${w}\n${which}: —`; // a played frame for another sample (nodeValues)
    const g = s === null ? layer.dW[i][j] : layer.delta[s][i] * aPrev[j];
    const dL = s === null ? "∂L/∂w" : `∂ℓ${subscript(s)}/∂w`;
    if (s === null && !sent(layer.dW, i, j)) return `${w}\n${which}:\n${dL} = ${t("tip.unsent")}`;
    // the batch mean's entry as it came; one sample's, a product of two packed numbers: 3 digits
    const known = s === null ? entryPrecision(layer.dW, i, j) : { approx: Boolean(layer.delta.approx), digits: 3 };
    return `${w}\n${which}:\n${dL} = ${approxText(g, known)}\n−${dL} = ${approxText(-g, known)} ${g < 0 ? "↑" : g > 0 ? "↓" : ""}`;
  }
  if (target.col === 0) return `x${target.i} = ${short(nodeValues(scene, 0)?.[target.i], 5)} (${which})`;
  const l = target.col - 1;
  if (!show.forward(l)) return `a, z: ${notYet}`;
  const pick = (rows) => (s === null ? batchMean(rows)?.[target.i] : rows[s]?.[target.i]);
  const layer = st.layers[l];
  const z = layer.z ? `\nz = ${short(pick(layer.z), 5)}` : "";
  return `${which}:\na = ${short(pick(layer.a), 5)}${z}\n`
    + `δ = ${show.backward(l) ? short(pick(layer.delta), 5) : notYet}`;
}
