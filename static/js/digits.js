// The digit lab (3Blue1Brown's digit network), shown when the input is an image: what one image wants, the
// zoom-out to ∇C, what the hidden neurons look at, progress, and a canvas to draw on.
import { api } from "./api.js";
import { wholeMatrix } from "./frames.js";
import { drawGray } from "./images.js";
import { applyTranslations, t } from "./i18n.js";
import { bindPadKeys } from "./padkeys.js";
import { fmt, model, on } from "./store.js";
import { CONFIG, layout, readyAfter, renderNeuronMaps, theme } from "./plots.js";
import { whenVisible } from "./visible.js";

const ROW_HEIGHT = 20;

const plotly = () => readyAfter; // after the page's own plots (plots.js)
const smallLayout = (extra = {}) => layout({ margin: { l: 30, r: 6, t: 4, b: 24 }, showlegend: false, ...extra });


/** A hand-drawn digit prepared as MNIST's were: fit into 20×20, centred by mass in 28×28. */
export function mnistify(source) {
  const w = source.width;
  const h = source.height;
  const data = source.getContext("2d").getImageData(0, 0, w, h).data;
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[4 * (y * w + x) + 3] > 20) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    }
  }
  if (x1 < 0) return null;
  const size = Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const box = document.createElement("canvas");
  box.width = 20;
  box.height = 20;
  const bctx = box.getContext("2d");
  const scale = 20 / size;
  bctx.drawImage(source, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (20 - (x1 - x0 + 1) * scale) / 2,
                 (20 - (y1 - y0 + 1) * scale) / 2, (x1 - x0 + 1) * scale, (y1 - y0 + 1) * scale);
  const small = bctx.getImageData(0, 0, 20, 20).data;
  const ink = Array.from({ length: 400 }, (_, k) => small[4 * k + 3] / 255);
  const mass = ink.reduce((a, b) => a + b, 0) || 1;
  const cx = ink.reduce((a, v, k) => a + v * (k % 20), 0) / mass;
  const cy = ink.reduce((a, v, k) => a + v * Math.floor(k / 20), 0) / mass;
  const out = new Array(28 * 28).fill(0); // MNIST's frame
  const dx = Math.round(14 - cx - 0.5);
  const dy = Math.round(14 - cy - 0.5);
  ink.forEach((v, k) => {
    const x = (k % 20) + dx;
    const y = Math.floor(k / 20) + dy;
    if (x >= 0 && x < 28 && y >= 0 && y < 28) out[y * 28 + x] = v;
  });
  return out;
}

export class DigitLab {
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks; // {runId(), state(), step(n, onProgress), probe(x, layers), busy(work)}
    this.row = 0;
    this.labels = null;
    this.example = null;
    this.sortKey = "full";
    this.mapMode = "weights";
    this.build();
  }

  build() {
    this.root.innerHTML = `
      <figure class="card"><figcaption data-i18n="digits.one">What one image wants</figcaption>
        <div class="pick">
          <canvas id="dl-image" class="digit" width="28" height="28"></canvas>
          <div>
            <label><span data-i18n="digits.row">training image</span> <input id="dl-row" type="number" min="0" value="0"></label>
            <label><span data-i18n="digits.find">next of class</span> <select id="dl-class">${
              Array.from({ length: 10 }, (_, k) => `<option>${k}</option>`).join("")}</select></label>
            <p id="dl-label" class="muted"></p>
            <button id="dl-example-show" data-i18n="digits.show_example">Its arrows in the network</button>
          </div>
        </div>
        <div id="dl-nudges" class="mini"></div>
        <div id="dl-asks" class="mini tall"></div>
      </figure>
      <figure class="card"><figcaption data-i18n="digits.zoom">Zoom out: ∇C, one image vs mini-batch vs all data</figcaption>
        <dl class="kv" id="dl-cos"></dl>
        <div class="vtable-head" id="dl-head"></div>
        <div class="vtable" id="dl-table" role="region" tabindex="0" aria-label="gradient entries" data-i18n-aria="digits.table"><div class="vtable-inner" id="dl-inner"></div></div>
      </figure>
      <figure class="card"><figcaption data-i18n="digits.look">What the first-layer neurons look at</figcaption>
        <div class="seg" role="radiogroup" id="dl-map-mode">
          <button role="radio" aria-checked="true" data-mode="weights" data-i18n="digits.map_weights">weights</button>
          <button role="radio" aria-checked="false" data-mode="example" data-i18n="digits.map_example">∂C/∂W, this image</button>
          <button role="radio" aria-checked="false" data-mode="batch" data-i18n="digits.map_batch">∂C/∂W, batch</button>
        </div>
        <div id="dl-maps" class="neurons"></div>
      </figure>
      <figure class="card"><figcaption data-i18n="digits.progress">Progress</figcaption>
        <div class="row-controls">
          <input id="dl-ff" type="number" min="1" max="${model.meta.limits.max_replay_steps}" value="2000" aria-label="steps" data-i18n-aria="digits.ff_steps">
          <button id="dl-ff-go" data-i18n="digits.ff">Fast-forward</button>
          <progress id="dl-progress" max="1" value="0"></progress>
        </div>
        <p id="dl-acc" class="muted"></p>
        <div id="dl-confusion" class="mini tall"></div>
        <div id="dl-wrong" class="wrong" role="group" tabindex="0" aria-label="misclassified digits" data-i18n-aria="digits.wrong_label"></div>
      </figure>
      <figure class="card"><figcaption data-i18n="digits.draw">Draw a digit</figcaption>
        <div class="pad-wrap"><canvas id="dl-pad" class="pad" width="196" height="196" tabindex="0" aria-label="drawing pad" data-i18n-aria="digits.pad"></canvas>
          <div id="dl-pen" class="plane-cursor pen" hidden></div></div>
        <div id="dl-pad-said" class="sr-only" aria-live="polite"></div>
        <div class="row-controls">
          <button id="dl-clear" data-i18n="digits.clear">Clear</button>
          <button id="dl-show" data-i18n="digits.show">Show in network</button>
        </div>
        <div id="dl-probs" class="mini"></div>
      </figure>`;
    const $ = (id) => this.root.querySelector(`#${id}`);
    $("dl-row").addEventListener("change", () => this.choose($("dl-row").value));
    $("dl-example-show").addEventListener("click", () => {
      const ex = this.example;
      if (!ex) return;
      const grads = ex.activations.map((_, l) => ex.grads[`W${l}`]);
      this.hooks.probe(ex.x, ex.activations, { grads, deltas: ex.deltas });
    });
    $("dl-class").addEventListener("change", () => this.nextOfClass(Number($("dl-class").value)));
    $("dl-ff-go").addEventListener("click", () => this.fastForward(Number($("dl-ff").value)));
    $("dl-table").addEventListener("scroll", () => this.renderRows());
    for (const b of $("dl-map-mode").querySelectorAll("button")) {
      b.addEventListener("click", () => { this.mapMode = b.dataset.mode; this.renderMaps(); });
    }
    this.bindPad($("dl-pad"));
    $("dl-clear").addEventListener("click", () => this.clearPad());
    $("dl-show").addEventListener("click", () => this.predictDrawing(true));
  }

  /** A new run: nothing fetched yet (the lab asks when it is on screen: refresh). */
  reset() {
    this.labels = null;
    this.row = this.hooks.row?.() ?? 0; // the URL's (or the lesson's) image: the digits lesson opens on a 2
    this.shown = "";
  }

  /** The lab's numbers for the State shown, unless it already shows them. */
  async refresh() {
    const id = this.hooks.runId();
    const key = `${id}|${this.hooks.state()?.step}`;
    if (key === this.shown) return;
    this.shown = key;
    await this.update();
  }

  async update() {
    await Promise.all([this.pick(this.row), this.progress()]);
    this.renderMaps();
  }

  /** A row typed in: shown if the server has it, else the notice says why (hooks.busy) and the
   * field goes back to the row shown. */
  choose(text) {
    const field = this.root.querySelector("#dl-row");
    return this.hooks.busy(async () => {
      try {
        await this.pick(Number(text));
      } finally {
        field.value = this.row;
      }
    });
  }

  async pick(row) {
    const id = this.hooks.runId();
    const ex = await api.example(id, row);
    this.row = row;
    this.hooks.setRow?.(row);
    this.example = ex;
    const $ = (q) => this.root.querySelector(`#${q}`);
    $("dl-row").value = row;
    drawGray($("dl-image"), ex.x, 28);
    const label = ex.y.indexOf(Math.max(...ex.y));
    const guess = ex.output.indexOf(Math.max(...ex.output));
    $("dl-label").textContent = t("digits.label", { label, guess, p: fmt.num(ex.output[guess], 3) });
    const softmax = ex.output.reduce((a, b) => a + b, 0) > 0.999 && ex.output.length > 1 && ex.output_nudges.some((v) => v === 0);
    const nudges = softmax ? ex.output_nudges_z : ex.output_nudges;
    const c = theme();
    const Plotly = await plotly();
    Plotly.react($("dl-nudges"), [{ type: "bar", x: nudges.map((_, k) => String(k)), y: nudges,
      marker: { color: nudges.map((v) => (v > 0 ? c.pos : c.neg)) }, hovertemplate: "%{x}: %{y:.4f}<extra></extra>" }],
      smallLayout({ title: { text: softmax ? t("digits.nudges_z") : t("digits.nudges_a"), font: { size: 10 }, x: 0.02, y: 0.97 },
                    margin: { l: 30, r: 6, t: 16, b: 20 } }), CONFIG);
    const ask = ex.asks[0];
    Plotly.react($("dl-asks"), [{ type: "heatmap", z: [...ask.wants, ask.sum], zmid: 0,
      y: [...ask.wants.map((_, k) => String(k)), "Σ"], colorscale: [[0, c.neg], [0.5, c.paper], [1, c.pos]], showscale: false,
      hovertemplate: `${t("digits.hover_ask")}<extra></extra>` }],
      smallLayout({ title: { text: t("digits.asks"), font: { size: 10 }, x: 0.02, y: 0.98 },
                    // rows named "0" … "9" and "Σ": plotly would guess a numeric axis and drop Σ, the
                    // row the card is about; a category axis keeps all of them
                    margin: { l: 30, r: 6, t: 16, b: 20 }, yaxis: { type: "category", autorange: "reversed", dtick: 1 } }),
      CONFIG);
    this.renderZoom();
    if (this.mapMode === "example") this.renderMaps();
  }

  /** The training labels (one request per run: api.data remembers it), for "next of class". */
  async trainLabels() {
    this.labels ??= (await api.data(this.hooks.runId(), "train", model.meta.limits.max_samples, false)).y;
    return this.labels;
  }

  async nextOfClass(k) {
    const labels = await this.trainLabels();
    const n = labels.length;
    for (let step = 1; step <= n; step++) {
      const r = (this.row + step) % n;
      if (labels[r][k] === 1) { this.pick(r); return; }
    }
  }

  renderZoom() {
    const ex = this.example;
    const $ = (q) => this.root.querySelector(`#${q}`);
    $("dl-cos").innerHTML = [["example_full", "digits.cos_ex_full"], ["batch_full", "digits.cos_batch_full"],
      ["example_batch", "digits.cos_ex_batch"]].map(([k, key]) => `<dt>${t(key)}</dt><dd>${fmt.num(ex.cosine[k], 3)}</dd>`).join("");
    const names = [];
    ex.names.forEach((name, p) => {
      const shape = ex.grads[name];
      if (Array.isArray(shape[0])) shape.forEach((row, i) => row.forEach((_, j) => names.push(`${name}[${i}][${j}]`)));
      else shape.forEach((_, i) => names.push(`${name}[${i}]`));
    });
    this.rows = names.map((name, k) => ({ name, example: ex.gradient[k], batch: ex.batch_gradient[k], full: ex.full_gradient[k] }));
    this.sortRows();
    $("dl-head").innerHTML = `<span>${t("digits.param", { n: this.rows.length.toLocaleString("en-US") })}</span>`
      + ["example", "batch", "full"].map((k) => `<button data-key="${k}" aria-pressed="${k === this.sortKey}">${t(`digits.col_${k}`)}</button>`).join("");
    for (const b of $("dl-head").querySelectorAll("button")) {
      b.addEventListener("click", () => { this.sortKey = b.dataset.key; this.renderZoom(); });
    }
    $("dl-inner").style.height = `${this.rows.length * ROW_HEIGHT}px`;
    this.renderRows();
  }

  sortRows() {
    const key = this.sortKey;
    this.rows.sort((a, b) => Math.abs(b[key]) - Math.abs(a[key]));
  }

  renderRows() {
    if (!this.rows) return;
    const box = this.root.querySelector("#dl-table");
    const first = Math.max(0, Math.floor(box.scrollTop / ROW_HEIGHT) - 5);
    const count = Math.ceil(box.clientHeight / ROW_HEIGHT) + 10;
    const cls = (v) => (v < 0 ? "nudge-pos" : v > 0 ? "nudge-neg" : "");
    this.root.querySelector("#dl-inner").innerHTML = this.rows.slice(first, first + count).map((r, k) =>
      `<div class="vrow" style="top:${(first + k) * ROW_HEIGHT}px"><span>${r.name}</span>`
      + ["example", "batch", "full"].map((c) => `<span class="num ${cls(r[c])}">${fmt.num(r[c], 3)}</span>`).join("") + "</div>").join("");
  }

  renderMaps() {
    const state = this.hooks.state();
    if (!state) return;
    for (const b of this.root.querySelectorAll("#dl-map-mode button")) b.setAttribute("aria-checked", String(b.dataset.mode === this.mapMode));
    const [W, dW] = [wholeMatrix(state.layers[0].W), wholeMatrix(state.layers[0].dW)]; // a played frame's: frames.js
    const values = this.mapMode === "weights" ? W
      : this.mapMode === "batch" ? dW.map((row) => row.map((v) => -v))
        : (this.example?.grads.W0 ?? dW).map((row) => row.map((v) => -v));
    renderNeuronMaps(this.root.querySelector("#dl-maps"), [{ layer: 0, w: 28, h: 28, values }],
      () => t(this.mapMode === "weights" ? "digits.maps_weights" : "digits.maps_grad"));
  }

  async progress() {
    // Two updates can overlap (a new lesson's reset and the side plots' refresh): only the
    // newest draws, and it replaces the thumbnails at once, so each image shows once.
    const ticket = (this.progressTicket = (this.progressTicket ?? 0) + 1);
    const id = this.hooks.runId();
    const result = await api.confusion(id);
    if (!result.classification || ticket !== this.progressTicket) return;
    const $ = (q) => this.root.querySelector(`#${q}`);
    $("dl-acc").textContent = t("digits.accuracy", { acc: (100 * result.accuracy).toFixed(1), step: result.step,
                                                    split: t(`digits.split_${result.split}`) });
    const c = theme();
    const Plotly = await plotly();
    Plotly.react($("dl-confusion"), [{ type: "heatmap", z: result.matrix, colorscale: [[0, c.paper], [1, c.pos]],
      showscale: false, hovertemplate: `${t("digits.hover_confusion")}<extra></extra>` }],
      smallLayout({ margin: { l: 36, r: 6, t: 4, b: 36 },  // room for the axis titles under their ticks
                    xaxis: { title: { text: t("digits.predicted"), standoff: 4 }, dtick: 1 },
                    yaxis: { title: { text: t("digits.true"), standoff: 4 }, dtick: 1, autorange: "reversed" } }),
      CONFIG);
    const wrong = Object.entries(result.wrong).flatMap(([k, rows]) => rows.slice(0, 2).map((r) => ({ ...r, true: Number(k) })));
    const images = await Promise.all(wrong.map((w) => api.data(id, result.split, 1, true, w.row)));
    if (ticket !== this.progressTicket) return;
    const thumbs = wrong.map((w, k) => {
      const canvas = document.createElement("canvas");
      canvas.className = "digit small";
      canvas.title = t("digits.wrong", { t: w.true, p: w.predicted });
      drawGray(canvas, images[k].x[0], 28);
      const fig = document.createElement("span");
      fig.className = "thumb";
      fig.dataset.row = w.row;
      fig.append(canvas, Object.assign(document.createElement("small"), { textContent: `${w.true}→${w.predicted}` }));
      return fig;
    });
    $("dl-wrong").replaceChildren(...thumbs);
  }

  async fastForward(n) {
    if (!Number.isInteger(n) || n < 1) return;
    const bar = this.root.querySelector("#dl-progress");
    bar.max = n;
    bar.value = 0;
    await this.hooks.step(n, (done) => { bar.value = done; });
    await this.refresh(); // the side plots' turn may have asked already: once per State
  }

  bindPad(pad) {
    // read back after every stroke (mnistify): a context kept in memory for it, which Chrome
    // otherwise asks for in a console warning from the second stroke on
    const ctx = pad.getContext("2d", { willReadFrequently: true });
    Object.assign(ctx, { lineWidth: 16, lineCap: "round", lineJoin: "round", strokeStyle: "#fff" });
    const stroke = (from, to) => {
      ctx.beginPath();
      ctx.moveTo(from.x, from.y);
      ctx.lineTo(to.x, to.y);
      ctx.stroke();
    };
    let last = null; // the pointer's point while a stroke is drawn
    const at = (e) => {
      const r = pad.getBoundingClientRect();
      return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
    };
    pad.addEventListener("pointerdown", (e) => { last = at(e); pad.setPointerCapture(e.pointerId); });
    pad.addEventListener("pointermove", (e) => {
      if (!last) return;
      const next = at(e);
      stroke(last, next);
      last = next;
    });
    pad.addEventListener("pointerup", () => { last = null; this.predictDrawing(false); });
    const said = this.root.querySelector("#dl-pad-said");
    bindPadKeys(pad, this.root.querySelector("#dl-pen"), {
      stroke,
      lift: () => this.predictDrawing(false),
      clear: () => this.clearPad(),
      announce: (text) => { said.textContent = text; },
    });
  }

  clearPad() {
    const pad = this.root.querySelector("#dl-pad");
    pad.getContext("2d").clearRect(0, 0, pad.width, pad.height);
    this.root.querySelector("#dl-probs").replaceChildren();
    this.hooks.probe(null);
  }

  async predictDrawing(show) {
    const x = mnistify(this.root.querySelector("#dl-pad"));
    if (!x) return;
    const out = await api.predict(this.hooks.runId(), [x], true);
    const probs = out.y[0];
    const c = theme();
    const Plotly = await plotly();
    const best = probs.indexOf(Math.max(...probs));
    Plotly.react(this.root.querySelector("#dl-probs"), [{ type: "bar", x: probs.map((_, k) => String(k)), y: probs,
      marker: { color: probs.map((_, k) => (k === best ? c.pos : c.text)) } }],
      smallLayout({ yaxis: { range: [0, 1] } }), CONFIG);
    if (show) this.hooks.probe(x, out.layers.map((a) => a[0]));
  }
}

/** The lab as a view of the page model, shown for image inputs: made and reset with the first
 * State of each new run, updated on the side plots' turn when on screen (only its maps while
 * playing), or when it scrolls into view after a Step. Its
 * probe (an image sent through the network) shows on the network until a State at rest of
 * another step or run, or the probe chip is pressed. */
export function mountDigitLab(root, chip, network, busy) {
  let lab = null;
  let fresh = true; // a new run whose first State has not come yet (mounted late, views.js: the run just opened)
  // The probe is one image's arrows at the step shown: a new step or run ends it, the same
  // State asked again for more (the lab's whole matrices, a sample's rows) does not. Under load
  // that answer could land after the student's click and take the arrows they asked for away.
  const shownAt = () => `${model.runId}|${model.state?.step}`;
  let probedAt = "";
  const probe = (x, layers, extra = {}) => {
    network.setProbe(x ? { x, layers, ...extra } : null);
    chip.hidden = !x;
    probedAt = x ? shownAt() : "";
  };
  chip.addEventListener("click", () => probe(null));
  const image = () => model.data?.input_shape.length === 2;
  on("run", () => { fresh = true; });
  const onState = ({ streamed }) => {
    if (!streamed && shownAt() !== probedAt) probe(null);
    if (!fresh || streamed) return;
    fresh = false;
    root.hidden = !image();
    if (!image()) return;
    lab ??= new DigitLab(root, {
      row: () => model.page.row,
      setRow: (row) => { model.page.row = row; },
      runId: () => model.runId,
      state: () => model.state,
      probe,
      busy,
      step: async (n, onProgress) => { // fast-forward in chunks, so the bar moves
        await busy(async () => {
          model.page.phase = "";
          for (let done = 0; done < n;) {
            const chunk = Math.min(250, n - done);
            await model.run.step(chunk);
            done += chunk;
            onProgress(done);
          }
        });
      },
    });
    applyTranslations(root);
    lab.reset();
    refresh();
  };
  on("state", onState);
  // Its requests (an image's gradients, the confusion matrix) only when on screen, once per State;
  // its maps draw the first layer's matrices whole, which a State at rest then carries (edges_only).
  const refresh = whenVisible(root, () => {
    if (!lab || root.hidden || model.playing) return;
    busy(async () => {
      if (!model.run.hasWhole("layers.W") || !model.run.hasWhole("layers.dW")) await model.run.refresh();
      await lab.refresh();
    });
  });
  const drawsWhole = () => image() && !refresh.offScreen();
  model.run.wantWhole("layers.W", drawsWhole);
  model.run.wantWhole("layers.dW", drawsWhole);
  on("sideplots", () => {
    if (!lab || root.hidden || !image()) return;
    if (model.playing) lab.renderMaps();
    else refresh();
  });
  if (model.run.state) onState({ streamed: false }); // mounted after its run's first State came (views.js)
}
