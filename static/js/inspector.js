// The inspector: whatever is selected, explained with its real numbers.
// An edge: the chain rule ∂L/∂w = mean_s a_prev · f′(z) · ∂ℓ/∂a (MathML), per sample and as the
// batch mean, with the finite-difference check. A neuron: z, a, δ for each sample.
// Hovering a term lights up where it comes from in the network (as in CNN Explainer).

import { t } from "./i18n.js";
import { fmt, emit } from "./store.js";
import { esc } from "./html.js";

const mi = (text) => `<mi>${esc(text)}</mi>`;
const mn = (v) => `<mn>${esc(fmt.num(v, 4))}</mn>`;
// A value the current phase has not computed yet is not shown: "?" in a formula, "not yet" in
// a table (issue: in B2 the inspector already showed layer 0's ∂L/∂w, which B1 computes).
const ALL = { forward: () => true, loss: true, backward: () => true, update: true };
const mk = (v, known) => (known ? mn(v) : '<mi class="not-yet">?</mi>');
const notYet = () => `<span class="not-yet">${esc(t("inspector.not_yet"))}</span>`;
const num = (v, known, digits = 4) => (known ? esc(fmt.num(v, digits)) : notYet());
const signed = (v, known, digits = 4) => (known ? esc(fmt.signed(v, digits)) : notYet());

function term(name, body, highlight) {
  return `<mrow class="term" data-term="${name}" data-hl='${JSON.stringify(highlight)}'>${body}</mrow>`;
}

function math(body) {
  return `<div class="formula"><math display="block"><mrow>${body}</mrow></math></div>`;
}

/** The nudge as the canvas draws it: ↑ blue when −∂/∂w > 0. */
function nudgeCell(v, known) {
  if (!known) return `<dd>${notYet()}</dd>`;
  return `<dd class="${v > 0 ? "nudge-pos" : "nudge-neg"}">${v > 0 ? "↑" : v < 0 ? "↓" : ""} ${esc(fmt.signed(v, 6))}</dd>`;
}

/** `show`: what the current phase has computed (store.js revealed); everything by default.
 * `sampleIndex`: the sample the network shows, or null for the batch mean. The arrow on the
 * canvas, its tooltip and the "nudge" here are the same quantity, and say which it is. */
export function renderEdge(el, c, state, sampleIndex, show = ALL) {
  const { layer: l, i, j } = c;
  const s = sampleIndex ?? 0;
  const B = c.per_sample.length;
  const g = c.dW;
  const last = l === state.layers.length - 1;
  const known = { a: l === 0 || show.forward(l - 1), z: show.forward(l), dl: last ? show.loss : show.backward(l + 1),
                  d: show.backward(l), update: show.update };
  const quantity = sampleIndex === null
    ? `<dt>${esc(t(B === 1 ? "inspector.grad_one" : "inspector.grad_mean", { B }))}</dt><dd>${num(g, known.d, 6)}</dd>
      <dt>${esc(t("inspector.nudge_mean"))}</dt>${nudgeCell(-g, known.d)}`
    : `<dt>${esc(t("inspector.grad_sample", { s }))}</dt><dd>${num(c.per_sample[s], known.d, 6)}</dd>
      <dt>${esc(t("inspector.nudge_sample", { s }))}</dt>${nudgeCell(-c.per_sample[s], known.d)}
      <dt>${esc(t(B === 1 ? "inspector.grad_one" : "inspector.grad_mean", { B }))}</dt><dd>${num(g, known.d, 6)}</dd>`;
  const hlPrev = { nodes: [[l, j]] };
  const hlOwn = { nodes: [[l + 1, i]], edges: [[l, i, j]] };
  const hlNext = c.next ? { nodes: c.next.map((n) => [l + 2, n.k]), edges: c.next.map((n) => [l + 1, n.k, i]) }
    : { nodes: [[l + 1, i]] };
  const elementwise = c.form === "elementwise";
  const factors = elementwise
    ? `${term("a", `${mk(c.a_prev[s], known.a)}`, hlPrev)}<mo>·</mo>${term("fp", mk(c.fprime[s], known.z), hlOwn)}<mo>·</mo>${term("dl", mk(c.dL_da[s], known.dl), hlNext)}`
    : `${term("a", mk(c.a_prev[s], known.a), hlPrev)}<mo>·</mo>${term("d", mk(c.delta[s], known.d), hlOwn)}`;
  const symbolic = elementwise
    ? `${term("a", `<msub>${mi("a")}<mi>j</mi></msub>`, hlPrev)}<mo>·</mo>${term("fp", `<mrow><msup>${mi("f")}<mo>′</mo></msup><mo>(</mo><msub>${mi("z")}<mi>i</mi></msub><mo>)</mo></mrow>`, hlOwn)}<mo>·</mo>${term("dl", `<mfrac><mrow><mo>∂</mo><mi>ℓ</mi></mrow><mrow><mo>∂</mo><msub>${mi("a")}<mi>i</mi></msub></mrow></mfrac>`, hlNext)}`
    : `${term("a", `<msub>${mi("a")}<mi>j</mi></msub>`, hlPrev)}<mo>·</mo>${term("d", `<msub>${mi("δ")}<mi>i</mi></msub>`, hlOwn)}`;
  const rows = c.per_sample.map((p, k) => `<tr${k === s ? ' class="hot"' : ""}><td>${k}</td><td class="num">${num(c.a_prev[k], known.a)}</td>
    ${elementwise ? `<td class="num">${num(c.fprime[k], known.z)}</td><td class="num">${num(c.dL_da[k], known.dl)}</td>` : ""}
    <td class="num">${num(c.delta[k], known.d)}</td><td class="num">${num(p, known.d)}</td></tr>`).join("");
  const agree = Math.abs(c.numeric - g) <= 1e-6 * Math.max(1e-8, Math.abs(g) + Math.abs(c.numeric)) + 1e-10;
  // a diverged run: NaN or ∞ on either side compares as unequal, which is no verdict on backprop
  const checkable = Number.isFinite(g) && Number.isFinite(c.numeric);
  const verdict = !checkable ? ["muted", "inspector.fd_unchecked"] : agree ? ["good", "inspector.agree"] : ["nudge-neg", "inspector.disagree"];
  const next = c.next ? `<h3>${esc(t("inspector.dl_da", { i }))}</h3>${math(
    `<msub><mfrac><mrow><mo>∂</mo><mi>ℓ</mi></mrow><mrow><mo>∂</mo><msub><mi>a</mi><mi>i</mi></msub></mrow></mfrac></msub><mo>=</mo>${
      c.next.map((n) => term(`k${n.k}`, `<mrow>${mn(n.w)}<mo>·</mo>${mk(n.delta[s], known.dl)}</mrow>`,
        { nodes: [[l + 2, n.k]], edges: [[l + 1, n.k, i]] })).join("<mo>+</mo>")}<mo>=</mo>${mk(c.dL_da[s], known.dl)}`)}` : "";
  const note = c.form === "jacobian" ? `<p class="muted">${esc(t("inspector.jacobian"))}</p>`
    : c.form === "batch_norm" ? `<p class="muted">${esc(t("inspector.batch_norm"))}</p>` : "";
  el.innerHTML = `
    <h2>${esc(t("inspector.weight", { l, i, j }))}</h2>
    <dl class="kv">
      <dt>w</dt><dd>${fmt.num(c.w, 6)}</dd>
      ${quantity}
      <dt>${esc(t("inspector.applied"))}</dt><dd>${signed(c.dW_applied, known.update, 6)}</dd>
    </dl>
    <h3>${esc(t("inspector.chain"))}</h3>
    ${math(`<mfrac><mrow><mo>∂</mo><msub><mi>ℓ</mi><mi>s</mi></msub></mrow><mrow><mo>∂</mo><msub><mi>w</mi><mi>ij</mi></msub></mrow></mfrac><mo>=</mo>${symbolic}`)}
    <h3>${esc(t("inspector.sample_n", { s }))}</h3>
    ${math(`<mrow>${factors}<mo>=</mo>${mk(c.per_sample[s], known.d)}</mrow>`)}
    ${note}
    <h3>${esc(t("inspector.per_sample"))}</h3>
    <table><thead><tr><th>s</th><th>a_j</th>${elementwise ? "<th>f′(z_i)</th><th>∂ℓ/∂a_i</th>" : ""}<th>δ_i</th><th>a_j·δ_i</th></tr></thead>
      <tbody>${rows}</tbody></table>
    <dl class="kv" style="margin-top:8px">
      <dt>${esc(t(B === 1 ? "inspector.mean_one" : "inspector.mean", { B }))}</dt><dd>${num(c.batch_mean, known.d, 8)}</dd>
      ${c.penalty ? `<dt>${esc(t("inspector.penalty"))}</dt><dd>${signed(c.penalty, known.d, 8)}</dd>` : ""}
      <dt>∂L/∂w</dt><dd>${num(g, known.d, 8)}</dd>
      <dt>${esc(t("inspector.numeric"))}</dt><dd>${num(c.numeric, known.d, 8)}</dd>
      ${known.d ? `<dt></dt><dd class="${verdict[0]}" id="fd-check">${esc(t(verdict[1]))}</dd>` : ""}
    </dl>
    ${next}`;
  bindTerms(el);
  foldWide(el);
}

export function renderNode(el, state, col, i, show = ALL, sampleIndex = null) {
  if (col === 0) {
    const rows = state.batch.x.map((x, s) => `<tr><td>${s}</td><td class="num">${fmt.num(x[i])}</td></tr>`).join("");
    el.innerHTML = `<h2>${esc(t("inspector.input", { i }))}</h2><table><thead><tr><th>s</th><th>x</th></tr></thead><tbody>${rows}</tbody></table>`;
    return;
  }
  const l = col - 1;
  const layer = state.layers[l];
  const last = l === state.layers.length - 1;
  const known = { z: show.forward(l), dl: last ? show.loss : show.backward(l + 1), d: show.backward(l) };
  // with batch norm a = f(u), u = γ·ẑ + β: u has its column, else a would not be f(z) on the row
  const u = (s) => (layer.bn ? `<td class="num">${num(layer.bn.u?.[s]?.[i], known.z)}</td>` : "");
  const rows = layer.z.map((z, s) => `<tr${s === sampleIndex ? ' class="hot"' : ""}><td>${s}</td><td class="num">${num(z[i], known.z)}</td>${u(s)}<td class="num">${num(layer.a[s][i], known.z)}</td>
    <td class="num">${num(layer.dL_da[s][i], known.dl)}</td><td class="num">${num(layer.delta[s][i], known.d)}</td></tr>`).join("");
  const bn = layer.bn ? `<h3>${esc(t("inspector.bn"))}</h3><dl class="kv">
      <dt>μ_B</dt><dd>${num(layer.bn.mean[i], known.z)}</dd><dt>σ²_B</dt><dd>${num(layer.bn.var[i], known.z)}</dd>
      <dt>γ</dt><dd>${fmt.num(layer.bn.gamma[i])}</dd><dt>∂L/∂γ</dt><dd>${num(layer.bn.dgamma[i], known.d)}</dd>
      <dt>β</dt><dd>${fmt.num(layer.bn.beta[i])}</dd><dt>∂L/∂β</dt><dd>${num(layer.bn.dbeta[i], known.d)}</dd>
      <dt>${esc(t("inspector.running"))}</dt><dd>${fmt.num(layer.bn.running_mean[i])} / ${fmt.num(layer.bn.running_var[i])}</dd></dl>` : "";
  el.innerHTML = `
    <h2>${esc(t("inspector.neuron", { l: col, i }))}</h2>
    <p class="muted">${esc(t(layer.bn ? "inspector.neuron_help_bn" : "inspector.neuron_help", { act: layer.activation }))}</p>
    <dl class="kv"><dt>b</dt><dd>${fmt.num(layer.b[i], 6)}</dd><dt>∂L/∂b</dt><dd>${num(layer.db[i], known.d, 6)}</dd></dl>
    <table><thead><tr><th>s</th><th>z</th>${layer.bn ? "<th>u</th>" : ""}<th>a</th><th>∂ℓ/∂a</th><th>δ</th></tr></thead><tbody>${rows}</tbody></table>
    ${bn}`;
  foldWide(el);
}

/** A per-sample table wider than the panel even in its small type (two-digit exponents in every
 * column: -1.030e-17) folds each sample onto two lines (app.css table.folded) rather than
 * scroll the panel sideways: numbers are never cut or wrapped. */
export function foldWide(el) {
  if (!el.clientWidth) return; // not shown: nothing to measure
  const style = getComputedStyle(el);
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  for (const table of el.querySelectorAll("table")) {
    table.classList.remove("folded");
    table.classList.toggle("folded", table.offsetWidth > room + 1);
  }
}

function bindTerms(el) {
  for (const node of el.querySelectorAll(".term")) {
    const hl = JSON.parse(node.dataset.hl);
    node.addEventListener("mouseenter", () => emit("hover-highlight", hl));
    node.addEventListener("mouseleave", () => emit("hover-highlight", null));
  }
}
