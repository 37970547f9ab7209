// The guided tour's cards, apart from the page: a lesson names its cards ({kind, layer, text}
// in engine/lessons/<name>.json); this fills each with the live numbers of the State. Every number
// on a card is one the API gave, kept with its place in the State (`path`), so a test can check
// the card against GET /api/v1/runs/{id}/state.

/** A number on a card: its value and where in the State it comes from. */
const n = (state, path) => ({ v: path.split(".").reduce((o, k) => o[k], state), path });

const ACT = { sigmoid: "σ", tanh: "tanh", relu: "relu", leaky_relu: "leaky", linear: "id", softmax: "softmax" };
const LOSS_FACTOR = { half_sse: "½ · ", sse: "", mse: "1/K · " };
const MAX_UNITS = 4; // neurons spelled out per card; a wider layer shows its first ones
const MAX_ROWS = 8;  // samples spelled out in a sum over the batch

const range = (k) => [...Array(k).keys()];
const aPrevPath = (l, s) => (l === 0 ? `batch.x.${s}` : `layers.${l - 1}.a.${s}`);

/** The row a card is about: the one the page shows, or the first (the tour picks for the digits). */
function rowOf(state, sample) {
  return sample === null ? 0 : Math.min(sample, state.batch.y.length - 1);
}

/** The first sample of the batch whose label is `digit` (one-hot targets), or the first sample. */
export function rowWithLabel(state, digit) {
  const s = state.batch.y.findIndex((y) => y.indexOf(Math.max(...y)) === digit);
  return s < 0 ? 0 : s;
}

/**
 * One card of a tour, filled in: {kind, title: {key, vars}, text, lines: [[part]], phase, sample,
 * highlight: {nodes, edges}, code: [quantity]}. A part is a string or a number {v, path}.
 * `loss` is the run's loss name; `sample` the row the page shows (null: the batch mean).
 */
export function fillCard(state, card, { loss = "half_sse", sample = null } = {}) {
  const L = state.layers.length;
  const l = card.layer ?? L - 1;
  const build = BUILDERS[card.kind];
  const s = rowOf(state, card.sample ?? sample);
  const out = build(state, { ...card, layer: l }, { loss, s, L });
  return { kind: card.kind, text: card.text, title: { key: `tour.title.${card.kind}`, vars: { l: l + 1 } },
           vars: { s, B: state.batch.y.length }, ...out, lines: out.lines.map(bracketNegatives) };
}

/** What of the State a card prints, so that a big net's page asks for that and no more (GET
 * /state's `fields` and `sample`, app/sampled.py): the digits' cards read one image's rows and a
 * few arrays the size of a layer, not the batch's pixels and the first layer's 12,544 weights
 * (the whole float64 State, ~1 MB). null: the whole State (the cards of a small net). */
export function cardAsks(state, card) {
  const fields = ASKS[card.kind];
  if (!fields) return null;
  return { fields: ["step", "batch", ...fields].join(","), sample: String(rowWithLabel(state, card.digit)) };
}

const ASKS = {
  wants_output: ["layers.b", "layers.delta"],
  wants_hidden: ["layers.dL_da", "layers.delta"],
  batch_average: ["layers.delta", "layers.db"],
};

/** A negative number right after an operator in brackets, as on paper: "0.74 · 1 + (-0.07)" and
 * "−2 · (-0.0063)", not "+ -0.07" and "−2 · -0.0063". */
export function bracketNegatives(parts) {
  return parts.flatMap((p, k) => {
    const before = parts[k - 1];
    return typeof p !== "string" && p.v < 0 && typeof before === "string" && /[+·−(]\s*$/.test(before)
      ? ["(", p, ")"] : [p];
  });
}

const BUILDERS = {
  forward(state, { layer: l }, { s }) {
    const layer = state.layers[l];
    const f = ACT[layer.activation] ?? layer.activation;
    const units = range(Math.min(layer.W.length, MAX_UNITS));
    const lines = [];
    for (const i of units) {
      const terms = range(Math.min(layer.W[i].length, MAX_UNITS)).flatMap((j) => [
        j ? " + " : "", n(state, `layers.${l}.W.${i}.${j}`), " · ", n(state, `${aPrevPath(l, s)}.${j}`)]);
      const more = layer.W[i].length > MAX_UNITS ? " + …" : "";
      lines.push([`z${sub(i)} = `, ...terms, more, " + ", n(state, `layers.${l}.b.${i}`), " = ", n(state, `layers.${l}.z.${s}.${i}`)]);
      lines.push([`a${sub(i)} = ${f}(z${sub(i)}) = `, n(state, `layers.${l}.a.${s}.${i}`)]);
    }
    return { lines, phase: `forward:${l}`, sample: String(s), code: ["z", "a"],
             highlight: { nodes: units.map((i) => [l + 1, i]), edges: edgesOf(state, l) } };
  },

  loss(state, _card, { loss, L }) {
    const out = state.layers[L - 1];
    const B = state.batch.y.length;
    const rows = range(Math.min(B, MAX_ROWS));
    const K = state.batch.y[0].length;
    const terms = rows.flatMap((s) => [s ? " + " : "", "(", n(state, `layers.${L - 1}.a.${s}.0`), " − ",
                                       n(state, `batch.y.${s}.0`), ")²"]);
    const line = [`L = ${LOSS_FACTOR[loss] ?? ""}1/${B} · [`, ...terms, B > MAX_ROWS ? " + …" : "",
                  K > 1 ? " + …]" : "]", " = ", n(state, "loss")];
    return { lines: [line], phase: "loss", sample: "mean", code: ["loss"],
             highlight: { nodes: range(out.a[0].length).map((k) => [L, k]), edges: [] } };
  },

  delta_out(state, _card, { s, L }) {
    const l = L - 1;
    const layer = state.layers[l];
    const f = ACT[layer.activation] ?? layer.activation;
    const units = range(Math.min(layer.W.length, MAX_UNITS));
    const lines = units.map((i) => {
      const a = n(state, `layers.${l}.a.${s}.${i}`);
      const d = n(state, `layers.${l}.delta.${s}.${i}`);
      if (layer.activation === "sigmoid") {
        return ["δ = ∂ℓ/∂ŷ · σ′(z) = ", n(state, `layers.${l}.dL_da.${s}.${i}`), " · ", a, " · (1 − ", a, ") = ", d];
      }
      return [`δ = ∂ℓ/∂ŷ · ${f}′(z) = `, n(state, `layers.${l}.dL_da.${s}.${i}`), " · ", `${f}′(z)`, " = ", d];
    });
    lines.unshift(["ŷ = ", n(state, `layers.${l}.a.${s}.0`), ",  y = ", n(state, `batch.y.${s}.0`)]);
    return { lines, phase: `backward:${l}`, sample: String(s), code: ["delta_out"],
             highlight: { nodes: units.map((i) => [L, i]), edges: [] } };
  },

  delta_hidden(state, { layer: l }, { s }) {
    const layer = state.layers[l];
    const above = state.layers[l + 1];
    const f = ACT[layer.activation] ?? layer.activation;
    const units = range(Math.min(layer.W.length, MAX_UNITS));
    const lines = units.map((i) => {
      const a = n(state, `layers.${l}.a.${s}.${i}`);
      const back = range(Math.min(above.W.length, MAX_UNITS)).flatMap((k) => [
        k ? " + " : "", n(state, `layers.${l + 1}.W.${k}.${i}`), " · ", n(state, `layers.${l + 1}.delta.${s}.${k}`)]);
      const fprime = layer.activation === "sigmoid" ? [a, " · (1 − ", a, ")"] : [`${f}′(z${sub(i)})`];
      return [`δ${sub(i)} = `, ...fprime, " · (", ...back, above.W.length > MAX_UNITS ? " + …" : "", ") = ",
              n(state, `layers.${l}.delta.${s}.${i}`)];
    });
    return { lines, phase: `backward:${l}`, sample: String(s), code: ["delta_hidden"],
             highlight: { nodes: units.map((i) => [l + 1, i]), edges: edgesOf(state, l + 1) } };
  },

  dW(state, { layer: l }) {
    const B = state.batch.y.length;
    const rows = range(Math.min(B, MAX_ROWS));
    const more = B > MAX_ROWS ? " + …" : "";
    const dw = [`∂L/∂W${l}[0][0] = 1/${B} · (`, ...rows.flatMap((s) => [s ? " + " : "",
      n(state, `layers.${l}.delta.${s}.0`), " · ", n(state, `${aPrevPath(l, s)}.0`)]), more, ") = ",
      n(state, `layers.${l}.dW.0.0`)];
    const db = [`∂L/∂b${l}[0] = 1/${B} · (`, ...rows.flatMap((s) => [s ? " + " : "",
      n(state, `layers.${l}.delta.${s}.0`)]), more, ") = ", n(state, `layers.${l}.db.0`)];
    return { lines: [dw, db], phase: `backward:${l}`, sample: "mean", code: ["dW", "db"],
             highlight: { nodes: [[l + 1, 0]], edges: [[l, 0, 0]] } };
  },

  update(state, { layer: l }) {
    const line = [`Δw = −η · ∂L/∂w = −`, n(state, "lr"), " · ", n(state, `layers.${l}.dW.0.0`), " = ",
                  n(state, `layers.${l}.dW_applied.0.0`)];
    const w = n(state, `layers.${l}.W.0.0`);
    const dw = n(state, `layers.${l}.dW_applied.0.0`);
    // the new weight is the next State's: here, the sum of the two numbers it is made of
    const sum = { v: w.v + dw.v, path: null, sum: [w.path, dw.path] };
    const to = ["w + Δw = ", w, " + ", dw, " = ", sum];
    return { lines: [line, to], phase: "update", sample: "mean", code: ["update"],
             highlight: { nodes: [], edges: [[l, 0, 0]] } };
  },

  // -- the digits: what one image of a digit wants (3Blue1Brown's story) ----------------------------

  wants_output(state, { digit }, { L }) {
    const s = rowWithLabel(state, digit);
    const l = L - 1;
    const K = state.layers[l].b.length; // (the card's State may carry one sample's rows only: cardAsks)
    const lines = [];
    for (let from = 0; from < K; from += 5) {
      lines.push(range(Math.min(5, K - from)).flatMap((k) => [k ? "   " : "", `δ${sub(from + k)} = `,
        n(state, `layers.${l}.delta.${s}.${from + k}`)]));
    }
    return { lines, phase: `backward:${l}`, sample: String(s), code: ["delta_out"],
             highlight: { nodes: [[L, digit]], edges: [] }, vars: { digit, s } };
  },

  wants_hidden(state, { digit, layer: l }) {
    const s = rowWithLabel(state, digit);
    const wish = state.layers[l].dL_da[s];
    const strongest = range(wish.length).sort((a, b) => Math.abs(wish[b]) - Math.abs(wish[a])).slice(0, MAX_UNITS);
    const lines = strongest.map((i) => [`∂ℓ/∂a${sub(i)} = Σₖ W[k][${i}] δₖ = `, n(state, `layers.${l}.dL_da.${s}.${i}`),
                                        "  →  δ = ", n(state, `layers.${l}.delta.${s}.${i}`)]);
    return { lines, phase: `backward:${l}`, sample: String(s), code: ["delta_hidden"],
             highlight: { nodes: strongest.map((i) => [l + 1, i]), edges: [] }, vars: { digit, s } };
  },

  batch_average(state, { digit }, { L }) {
    const s = rowWithLabel(state, digit);
    const l = L - 1;
    const B = state.batch.y.length;
    const lines = [
      [`δ${sub(digit)} = `, n(state, `layers.${l}.delta.${s}.${digit}`)],
      [`∂L/∂b${sub(digit)} = 1/${B} · Σₛ δ${sub(digit)} = `, n(state, `layers.${l}.db.${digit}`)],
    ];
    return { lines, phase: `backward:${l}`, sample: "mean", code: ["db", "dW"],
             highlight: { nodes: [[L, digit]], edges: [] }, vars: { digit, s, B } };
  },
};

function edgesOf(state, l) {
  const W = state.layers[l].W;
  if (W.length * W[0].length > 64) return [];
  return W.flatMap((row, i) => row.map((_, j) => [l, i, j]));
}

const SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
/** A neuron's index as a subscript: a₀, δ₁₂. */
export function sub(i) {
  return String(i).replace(/\d/g, (d) => SUBSCRIPTS[Number(d)]);
}

/** Every number on a card, with its place in the State. */
export function numbersOf(filled) {
  return filled.lines.flat().filter((part) => typeof part === "object");
}
