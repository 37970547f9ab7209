// The inspector: whatever is selected, explained with its real numbers.
// An edge: the chain rule ∂L/∂w = mean_s a_prev · f′(z) · ∂ℓ/∂a (MathML), per sample and as the
// batch mean, with the finite-difference check. A neuron: z, a, δ for each sample.
// Hovering a term lights up where it comes from in the network (as in CNN Explainer).

import { t } from "./i18n.js";
import { fmt, emit } from "./store.js";

const esc = (s) => String(s).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
const mi = (text) => `<mi>${esc(text)}</mi>`;
const mn = (v) => `<mn>${esc(fmt.num(v, 4))}</mn>`;

function term(name, body, highlight) {
  return `<mrow class="term" data-term="${name}" data-hl='${JSON.stringify(highlight)}'>${body}</mrow>`;
}

function math(body) {
  return `<div class="formula"><math display="block"><mrow>${body}</mrow></math></div>`;
}

export function renderIdle(el, preset) {
  el.innerHTML = `
    <h2>${preset ? esc(t(preset.texts.title)) : esc(t("inspector.custom"))}</h2>
    ${preset ? `<p class="watch" id="watch">${esc(t(preset.texts.watch))}</p>` : ""}
    <p class="muted">${esc(t("inspector.hint"))}</p>`;
}

export function renderEdge(el, c, state, sampleIndex) {
  const { layer: l, i, j } = c;
  const s = sampleIndex ?? 0;
  const B = c.per_sample.length;
  const g = c.dW;
  const nudge = -g;
  const hlPrev = { nodes: [[l, j]] };
  const hlOwn = { nodes: [[l + 1, i]], edges: [[l, i, j]] };
  const hlNext = c.next ? { nodes: c.next.map((n) => [l + 2, n.k]), edges: c.next.map((n) => [l + 1, n.k, i]) }
    : { nodes: [[l + 1, i]] };
  const elementwise = c.form === "elementwise";
  const factors = elementwise
    ? `${term("a", `${mn(c.a_prev[s])}`, hlPrev)}<mo>·</mo>${term("fp", mn(c.fprime[s]), hlOwn)}<mo>·</mo>${term("dl", mn(c.dL_da[s]), hlNext)}`
    : `${term("a", mn(c.a_prev[s]), hlPrev)}<mo>·</mo>${term("d", mn(c.delta[s]), hlOwn)}`;
  const symbolic = elementwise
    ? `${term("a", `<msub>${mi("a")}<mi>j</mi></msub>`, hlPrev)}<mo>·</mo>${term("fp", `<mrow><msup>${mi("f")}<mo>′</mo></msup><mo>(</mo><msub>${mi("z")}<mi>i</mi></msub><mo>)</mo></mrow>`, hlOwn)}<mo>·</mo>${term("dl", `<mfrac><mrow><mo>∂</mo><mi>ℓ</mi></mrow><mrow><mo>∂</mo><msub>${mi("a")}<mi>i</mi></msub></mrow></mfrac>`, hlNext)}`
    : `${term("a", `<msub>${mi("a")}<mi>j</mi></msub>`, hlPrev)}<mo>·</mo>${term("d", `<msub>${mi("δ")}<mi>i</mi></msub>`, hlOwn)}`;
  const rows = c.per_sample.map((p, k) => `<tr${k === s ? ' class="hot"' : ""}><td>${k}</td><td class="num">${fmt.num(c.a_prev[k])}</td>
    ${elementwise ? `<td class="num">${fmt.num(c.fprime[k])}</td><td class="num">${fmt.num(c.dL_da[k])}</td>` : ""}
    <td class="num">${fmt.num(c.delta[k])}</td><td class="num">${fmt.num(p)}</td></tr>`).join("");
  const agree = Math.abs(c.numeric - g) <= 1e-6 * Math.max(1e-8, Math.abs(g) + Math.abs(c.numeric)) + 1e-10;
  const next = c.next ? `<h3>${esc(t("inspector.dl_da", { i }))}</h3>${math(
    `<msub><mfrac><mrow><mo>∂</mo><mi>ℓ</mi></mrow><mrow><mo>∂</mo><msub><mi>a</mi><mi>i</mi></msub></mrow></mfrac></msub><mo>=</mo>${
      c.next.map((n) => term(`k${n.k}`, `<mrow>${mn(n.w)}<mo>·</mo>${mn(n.delta[s])}</mrow>`,
        { nodes: [[l + 2, n.k]], edges: [[l + 1, n.k, i]] })).join("<mo>+</mo>")}<mo>=</mo>${mn(c.dL_da[s])}`)}` : "";
  const note = c.form === "jacobian" ? `<p class="muted">${esc(t("inspector.jacobian"))}</p>`
    : c.form === "batch_norm" ? `<p class="muted">${esc(t("inspector.batch_norm"))}</p>` : "";
  el.innerHTML = `
    <h2>${esc(t("inspector.weight", { l, i, j }))}</h2>
    <dl class="kv">
      <dt>w</dt><dd>${fmt.num(c.w, 6)}</dd>
      <dt>∂L/∂w</dt><dd>${fmt.num(g, 6)}</dd>
      <dt>${esc(t("inspector.nudge"))}</dt><dd class="${nudge > 0 ? "nudge-pos" : "nudge-neg"}">${nudge > 0 ? "↑" : nudge < 0 ? "↓" : ""} ${fmt.signed(nudge, 6)}</dd>
      <dt>${esc(t("inspector.applied"))}</dt><dd>${fmt.signed(c.dW_applied, 6)}</dd>
    </dl>
    <h3>${esc(t("inspector.chain"))}</h3>
    ${math(`<mfrac><mrow><mo>∂</mo><msub><mi>ℓ</mi><mi>s</mi></msub></mrow><mrow><mo>∂</mo><msub><mi>w</mi><mi>ij</mi></msub></mrow></mfrac><mo>=</mo>${symbolic}`)}
    <h3>${esc(t("inspector.sample_n", { s }))}</h3>
    ${math(`<mrow>${factors}<mo>=</mo>${mn(c.per_sample[s])}</mrow>`)}
    ${note}
    <h3>${esc(t("inspector.per_sample"))}</h3>
    <table><thead><tr><th>s</th><th>a_j</th>${elementwise ? "<th>f′(z_i)</th><th>∂ℓ/∂a_i</th>" : ""}<th>δ_i</th><th>a_j·δ_i</th></tr></thead>
      <tbody>${rows}</tbody></table>
    <dl class="kv" style="margin-top:8px">
      <dt>${esc(t("inspector.mean", { B }))}</dt><dd>${fmt.num(c.batch_mean, 8)}</dd>
      ${c.penalty ? `<dt>${esc(t("inspector.penalty"))}</dt><dd>${fmt.signed(c.penalty, 8)}</dd>` : ""}
      <dt>∂L/∂w</dt><dd>${fmt.num(g, 8)}</dd>
      <dt>${esc(t("inspector.numeric"))}</dt><dd>${fmt.num(c.numeric, 8)}</dd>
      <dt></dt><dd class="${agree ? "good" : "nudge-neg"}" id="fd-check">${esc(agree ? t("inspector.agree") : t("inspector.disagree"))}</dd>
    </dl>
    ${next}`;
  bindTerms(el);
}

export function renderNode(el, state, col, i) {
  if (col === 0) {
    const rows = state.batch.x.map((x, s) => `<tr><td>${s}</td><td class="num">${fmt.num(x[i])}</td></tr>`).join("");
    el.innerHTML = `<h2>${esc(t("inspector.input", { i }))}</h2><table><thead><tr><th>s</th><th>x</th></tr></thead><tbody>${rows}</tbody></table>`;
    return;
  }
  const layer = state.layers[col - 1];
  const rows = layer.z.map((z, s) => `<tr><td>${s}</td><td class="num">${fmt.num(z[i])}</td><td class="num">${fmt.num(layer.a[s][i])}</td>
    <td class="num">${fmt.num(layer.dL_da[s][i])}</td><td class="num">${fmt.num(layer.delta[s][i])}</td></tr>`).join("");
  const bn = layer.bn ? `<h3>${esc(t("inspector.bn"))}</h3><dl class="kv">
      <dt>μ_B</dt><dd>${fmt.num(layer.bn.mean[i])}</dd><dt>σ²_B</dt><dd>${fmt.num(layer.bn.var[i])}</dd>
      <dt>γ</dt><dd>${fmt.num(layer.bn.gamma[i])}</dd><dt>∂L/∂γ</dt><dd>${fmt.num(layer.bn.dgamma[i])}</dd>
      <dt>β</dt><dd>${fmt.num(layer.bn.beta[i])}</dd><dt>∂L/∂β</dt><dd>${fmt.num(layer.bn.dbeta[i])}</dd>
      <dt>${esc(t("inspector.running"))}</dt><dd>${fmt.num(layer.bn.running_mean[i])} / ${fmt.num(layer.bn.running_var[i])}</dd></dl>` : "";
  el.innerHTML = `
    <h2>${esc(t("inspector.neuron", { l: col, i }))}</h2>
    <p class="muted">${esc(t("inspector.neuron_help", { act: layer.activation }))}</p>
    <dl class="kv"><dt>b</dt><dd>${fmt.num(layer.b[i], 6)}</dd><dt>∂L/∂b</dt><dd>${fmt.num(layer.db[i], 6)}</dd></dl>
    <table><thead><tr><th>s</th><th>z</th><th>a</th><th>∂ℓ/∂a</th><th>δ</th></tr></thead><tbody>${rows}</tbody></table>
    ${bn}`;
}

function bindTerms(el) {
  for (const node of el.querySelectorAll(".term")) {
    const hl = JSON.parse(node.dataset.hl);
    node.addEventListener("mouseenter", () => emit("highlight", hl));
    node.addEventListener("mouseleave", () => emit("highlight", null));
  }
}
