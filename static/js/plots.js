// Plots, each behind a narrow API (reset / extend / render), plotly.js served from
// static/vendor/plotly/. Plotly loads after first paint; calls made before it is there wait.

import { t } from "./i18n.js";
import { lookColors } from "./lookcolors.js";
import { escText } from "./html.js";
import { positiveRange, ticksOver } from "./plotlogic.js";

const loaded = new Promise((resolve) => {
  const check = () => (window.Plotly ? resolve(window.Plotly) : setTimeout(check, 30));
  check();
});

// Plotly is handed out one caller per task, the page's own plots (loss, gradients, preview,
// boundary: `ready`) before the panels' (`readyAfter`): a page load's plots waiting for plotly
// would otherwise all draw in one task (half a second on a busy machine) in which the page
// answers no input, and the plots a student looks at first would wait behind the panels'.
const waiting = [[], []];
let Plotly = null;
let scheduled = false;

let paced = false;

/** While playing, a plot's turn comes just after an animation frame: the catch-up redraws its
 * plots (each 10-40 ms) one per frame instead of back to back, so the network's next frame
 * waits behind one plot, not four. */
export function paceToFrames(on) { paced = on; }

function afterFrame(fn) {
  let done = false;
  const go = () => { if (!done) { done = true; setTimeout(fn, 0); } };
  requestAnimationFrame(go);
  setTimeout(go, 100); // a hidden tab draws no frames: its plots still catch up
}

function nextTurn() {
  if (!Plotly || scheduled || !(waiting[0].length || waiting[1].length)) return;
  scheduled = true;
  const turn = () => {
    scheduled = false;
    (waiting[0].shift() ?? waiting[1].shift())(Plotly); // the caller draws in this task...
    nextTurn(); // ...and the next one in a task of its own
  };
  if (paced) afterFrame(turn);
  else setTimeout(turn, 0);
}

let drawnMs = 0;

/** Milliseconds the plots have spent in plotly's calls so far (their synchronous part, where
 * plotly does nearly all its work): what the catch-up paces itself by (catchup.js). */
export const plotMs = () => drawnMs;

/** Plotly as the callers get it: each of its functions timed into `drawnMs`. */
function timed(P) {
  return new Proxy(P, {
    get(target, name) {
      const value = target[name];
      if (typeof value !== "function") return value;
      return (...args) => {
        const start = performance.now();
        try { return value.apply(target, args); } finally { drawnMs += performance.now() - start; }
      };
    },
  });
}

loaded.then((P) => { Plotly = timed(P); nextTurn(); });

const turn = (queue) => ({
  then(onFulfilled, onRejected) {
    return new Promise((resolve) => { waiting[queue].push(resolve); nextTurn(); }).then(onFulfilled, onRejected);
  },
});

/** `await ready`: plotly, for one of the page's own plots. */
export const ready = turn(0);
/** `await readyAfter`: plotly, for a panel's plot, after the page's own plots waiting. */
export const readyAfter = turn(1);

export const CONFIG = { displayModeBar: false, responsive: true, staticPlot: false };

const PLOT_COLORS = { text: "--muted", grid: "--grid", paper: "--surface", pos: "--pos", neg: "--neg",
                      accent: "--accent", fg: "--text", layers: "--layers" };
let themeKept = { of: null, colors: null };

/** The look's colours for the plots (lookcolors.js: read once per look), the layers' as a list. */
export function theme() {
  const read = lookColors(PLOT_COLORS);
  if (themeKept.of !== read) themeKept = { of: read, colors: { ...read, layers: read.layers.split(",").map((s) => s.trim()) } };
  return themeKept.colors;
}

export function layout(extra = {}) {
  const c = theme();
  return {
    margin: { l: 44, r: 8, t: 6, b: 28 }, paper_bgcolor: c.paper, plot_bgcolor: c.paper,
    font: { size: 10, color: c.text }, showlegend: true,
    // above the plot, anchored by its foot: a legend that wraps in a narrow card pushes the plot
    // down (plotly grows the top margin) instead of covering the curves
    legend: { orientation: "h", x: 0, y: 1, xanchor: "left", yanchor: "bottom", font: { size: 10 } },
    // ticklabeloverflow "allow": automargin makes room for the labels, and plotly's check that
    // none runs past the plot measured every label again on each redraw (twice a second while playing)
    xaxis: { gridcolor: c.grid, zerolinecolor: c.grid, automargin: true, ticklabeloverflow: "allow" },
    yaxis: { gridcolor: c.grid, zerolinecolor: c.grid, automargin: true, ticklabeloverflow: "allow" },
    ...extra,
  };
}

/** Plotly annotations do not wrap: break a text into lines of at most `width` characters
 * (a CJK character counts two), at spaces where there are any. The text is plain: Plotly reads
 * annotations as HTML, where the server's "W<layer>:<i>:<j>" would turn italic and lose its <i>. */
export function wrap(text, width) {
  const lines = [];
  let line = "";
  let size = 0;
  for (const piece of text.match(/[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+|\s+/g) ?? []) {
    const cost = /^[\u2e80-\u9fff\uff00-\uffef]$/.test(piece) ? 2 : piece.length;
    if (/^\s+$/.test(piece)) { if (line) { line += " "; size += 1; } continue; }
    if (size + cost > width && line.trim()) { lines.push(line.trim()); line = ""; size = 0; }
    line += escText(piece);
    size += cost;
  }
  if (line.trim()) lines.push(line.trim());
  return lines.join("<br>");
}

/** The first step whose loss (or gradient norm) was NaN or ±∞, or null: where a log plot's
 * curve ends without a word unless the plot says so. */
export function firstNonFinite(steps, values) {
  const k = values.findIndex((v) => (Array.isArray(v) ? v.some((x) => typeof x === "number" && !Number.isFinite(x))
    : typeof v === "number" && !Number.isFinite(v)));
  return k < 0 ? null : steps[k];
}

/** A dashed line at the step where the run diverged, labelled "NaN / ∞ from step n". */
function divergedMarks(step) {
  if (step === null || step === undefined) return { shapes: [], annotations: [] };
  const c = theme();
  return {
    shapes: [{ type: "line", xref: "x", yref: "paper", x0: step, x1: step, y0: 0, y1: 1,
               line: { color: c.neg, width: 1.2, dash: "dash" } }],
    annotations: [{ text: t("diverged.from", { step }), xref: "x", yref: "paper", x: step, y: 0.98, xanchor: "right",
                    xshift: -4, yanchor: "top", showarrow: false, font: { size: 10, color: c.neg } }], // clear of the line
  };
}

/** Log-scale curves over the steps; before the first step, a word on how to draw them. `ticks`:
 * the y axis's (plotlogic.js logTicks), null for plotly's own. */
function historyLayout(empty, divergedAt = null, ticks = null) {
  const base = layout();
  if (!empty) {
    return layout({ yaxis: { ...base.yaxis, type: "log", exponentformat: "power", nticks: 4, ...ticks }, ...divergedMarks(divergedAt) });
  }
  const hidden = { visible: false, fixedrange: true };
  return layout({
    xaxis: hidden, yaxis: hidden, showlegend: false,
    annotations: [{ text: t("plot.empty"), xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false,
                    font: { size: 12, color: base.font.color } }],
  });
}

/** Every y value of plotly traces, without copying them. */
function* valuesOf(traces) {
  for (const trace of traces) yield* trace.y;
}

/** A curve per step, log scale: drawn whole by reset(), then extended while playing. */
class HistoryPlot {
  constructor(el) { this.el = el; }

  async draw(traces, history) {
    const Plotly = await ready;
    this.divergedAt = firstNonFinite(history.step, history.loss) ?? firstNonFinite(history.step, history.grad_norms);
    this.empty = !history.step.length;
    // one point makes no line: show it as a dot until a second one arrives
    this.dotted = history.step.length === 1 ? traces.flatMap((tr, i) => (tr.mode === "lines" ? [i] : [])) : [];
    // before the first step its evaluations (the test loss at step 0) would be a dot over the hint
    const shown = this.empty ? traces.map((tr) => ({ ...tr, x: [], y: [] }))
      : traces.map((tr, i) => (this.dotted.includes(i) ? { ...tr, mode: "lines+markers", marker: { size: 5 } } : tr));
    this.range = positiveRange(valuesOf(shown)); // what is drawn, widened by each append's points alone
    this.ticks = ticksOver(this.range);
    await Plotly.react(this.el, shown, historyLayout(this.empty, this.divergedAt, this.ticks), CONFIG);
    this.ready = true;
  }

  async append(update, indices) {
    const Plotly = await ready;
    Plotly.extendTraces(this.el, update, indices);
    if (this.dotted.length) { // a line now: the dots go
      Plotly.restyle(this.el, { mode: "lines" }, this.dotted);
      this.dotted = [];
    }
    this.widen(Plotly, update.y.flat());
  }

  /** The log axis's labels for what is drawn, widened by `values`. */
  widen(Plotly, values) {
    this.range = positiveRange(values, this.range);
    const ticks = ticksOver(this.range);
    if (this.empty) { // the first streamed points replace the empty plot's hint
      this.empty = false;
      this.ticks = ticks;
      Plotly.relayout(this.el, historyLayout(false, this.divergedAt, ticks));
    } else if (String(ticks?.tickvals) !== String(this.ticks?.tickvals)) { // the curves reached another decade
      this.ticks = ticks;
      Plotly.relayout(this.el, { "yaxis.tickmode": ticks ? "array" : "auto", "yaxis.tickvals": ticks?.tickvals ?? null,
                                 "yaxis.ticktext": ticks?.ticktext ?? null });
    }
  }
}

const FEW_MEASURES = 30;

export class LossPlot extends HistoryPlot {
  /** `penalized`: the run has an L1/L2 penalty, which the batch's loss (what the step
   * minimises) includes and the measures over all the data and the test set do not: their
   * names say so, or the gap between the curves reads as something it is not. */
  async reset(history, extra = [], now = null, penalized = false) {
    const c = theme();
    const traces = [{ x: history.step, y: history.loss, name: t(penalized ? "plot.train_batch_penalty" : "plot.train_batch"),
                      mode: "lines", line: { color: c.accent, width: 1.5 } }];
    if (history.test_loss && history.test_loss.some((v) => v !== null)) {
      traces.push({ x: history.eval_step, y: history.test_loss, name: t(penalized ? "plot.test_no_penalty" : "plot.test"), mode: "lines+markers",
                    line: { color: c.pos, width: 1.5 }, marker: { size: 3 } });
    }
    if (history.train_loss) {
      // measured every 10 steps or more: while the measures are few, each is a dot (a line alone
      // looked measured between them, a chord beside the batch's curve); many dots would hide it
      const few = history.eval_step.length <= FEW_MEASURES;
      traces.push({ x: history.eval_step, y: history.train_loss, name: t(penalized ? "plot.train_all_no_penalty" : "plot.train_all"),
                    mode: few ? "lines+markers" : "lines",
                    line: { color: c.fg, width: 1, dash: "dot" }, marker: { size: 4 } });
    }
    traces.push(...extra.map((tr) => ({ ...tr, line: { color: c.neg, ...tr.line } }))); // after A's: extend() adds to trace 0
    this.nowAt = traces.length; // the dot of the loss beside the network (setNow)
    traces.push({ x: now ? [now.step] : [], y: now ? [now.loss] : [], name: t("plot.now"), mode: "markers",
                  showlegend: false, marker: { color: c.accent, size: 7, line: { color: c.paper, width: 1.5 } } });
    await this.draw(traces, history);
  }

  async extend(steps, losses) {
    if (this.ready) await this.append({ x: [steps], y: [losses] }, [0]);
  }

  /** The loss beside the network, this step's batch before its update, as a dot where the batch
   * curve goes on: the curve ends a step before (a row comes with its step's update), so after a
   * jump the number shown was on no curve (lr_high: 62.6 beside a curve ending at 8.8). `now` is
   * {step, loss}, or null to hide it (playing, a phase before the loss). */
  async setNow(now) {
    if (!this.ready || this.nowAt === undefined || this.empty) return;
    const Plotly = await ready;
    Plotly.restyle(this.el, { x: [now ? [now.step] : []], y: [now ? [now.loss] : []] }, [this.nowAt]);
    if (now) this.widen(Plotly, [now.loss]);
  }
}

export class GradPlot extends HistoryPlot {
  async reset(history, nLayers, extra = []) {
    const traces = [];
    const colors = theme().layers;
    const color = (l) => colors[l % colors.length];
    for (let l = 0; l < nLayers; l++) {
      traces.push({ x: history.step, y: history.grad_norms.map((n) => n[l]), mode: "lines", name: `W${l}`,
                    line: { width: 1.3, color: color(l) }, showlegend: false });
    }
    extra.forEach((tr, l) => traces.push({ ...tr, line: { color: color(l), ...tr.line }, showlegend: false }));
    this.renderKey(nLayers, color, extra.length > 0);
    await this.draw(traces, history);
  }

  /** One row instead of a legend entry per curve (14 of them squashed the plot of a 7-layer
   * compare): the layers' colours in order, W0 … W(n−1), and the line of A and of B when comparing.
   * A layer's name is the inspector's, the tour's and the API's (W0 feeds the first hidden layer). */
  renderKey(nLayers, color, compared) {
    if (!this.key) {
      this.key = Object.assign(document.createElement("div"), { className: "layer-key" });
      this.key.setAttribute("role", "img");
      this.el.before(this.key);
    }
    const line = (dash) => `<svg width="18" height="6" aria-hidden="true"><line x1="0" y1="3" x2="18" y2="3" `
      + `stroke="currentColor" stroke-width="1.5"${dash ? ' stroke-dasharray="4 3"' : ""}/></svg>`;
    const swatches = Array.from({ length: nLayers }, (_, l) => `<i style="background:${color(l)}"></i>`).join("");
    this.key.innerHTML = `<span>W0</span><span class="swatches">${swatches}</span><span>W${nLayers - 1}</span>`
      + (compared ? `<span class="ab">${line(false)} A ${line(true)} B</span>` : "");
    this.key.setAttribute("aria-label", t(compared ? "compare.layer_key_ab" : "compare.layer_key", { n: nLayers - 1 }));
  }

  async extend(steps, norms) {
    if (!this.ready || !norms.length) return;
    const idx = norms[0].map((_, l) => l);
    await this.append({ x: idx.map(() => steps), y: idx.map((l) => norms.map((n) => n[l])) }, idx);
  }
}

export class BoundaryPlot {
  constructor(el) { this.el = el; }

  /** grid: {xs, ys, z (rows of values)}; data: training rows; batch: indices of the current batch. */
  async render(grid, data, batch, kind) {
    const Plotly = await ready;
    const c = theme();
    const traces = [];
    const regression = kind === "regression";
    const scale = [[0, c.neg], [0.5, c.paper], [1, c.pos]];
    // A regression's prediction and its targets on one colour scale, the targets' range, with its
    // bar: a dot that melts into the plane there is predicted right. (Each had a scale of its own,
    // the plane's stretched by a far corner's prediction: matching colours meant nothing.)
    const ys = regression ? data.y.map((row) => row[0]) : [];
    const [lo, hi] = regression ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
    if (grid) {
      traces.push({ type: "heatmap", x: grid.xs, y: grid.ys, z: grid.z, hoverinfo: "skip", zmin: lo, zmax: hi,
                    colorscale: scale, opacity: 0.75, showscale: regression,
                    colorbar: { thickness: 8, len: 0.9, outlinewidth: 0, tickfont: { size: 9, color: c.text } } });
    }
    const label = (row) => (row.length > 1 ? row.indexOf(Math.max(...row)) : row[0]);
    const colorOf = (row) => (regression ? row[0] : label(row) >= 0.5 ? 1 : 0);
    traces.push({ type: "scatter", mode: "markers", name: t("plot.data"), x: data.x.map((p) => p[0]),
                  y: data.x.map((p) => p[1]), hoverinfo: "skip",
                  marker: { size: 5, color: data.y.map(colorOf), colorscale: regression ? scale : [[0, c.neg], [1, c.pos]],
                            cmin: lo, cmax: hi, line: { width: regression ? 0.8 : 0.5, color: regression ? c.text : c.paper } } });
    if (batch && batch.length < data.x.length) {
      traces.push({ type: "scatter", mode: "markers", name: t("plot.batch"), hoverinfo: "skip",
                    x: batch.filter((k) => k < data.x.length).map((k) => data.x[k][0]),
                    y: batch.filter((k) => k < data.x.length).map((k) => data.x[k][1]),
                    marker: { size: 10, color: "rgba(0,0,0,0)", line: { width: 1.6, color: c.accent } } });
    }
    if (!this.clicks) { // a click on the plane, in data coordinates, for the data editor
      this.clicks = true;
      this.el.addEventListener("click", (event) => {
        const full = this.el._fullLayout;
        if (!full) return;
        const box = this.el.querySelector(".nsewdrag")?.getBoundingClientRect();
        if (!box || event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom) return;
        const x = full.xaxis.p2c(event.clientX - box.left);
        const y = full.yaxis.p2c(event.clientY - box.top);
        this.el.dispatchEvent(new CustomEvent("plotly_click_point", { detail: { x, y, shift: event.shiftKey } }));
      });
    }
    await Plotly.react(this.el, traces, layout({ showlegend: false, margin: { l: 28, r: regression ? 44 : 6, t: 4, b: 22 },
      xaxis: { ...layout().xaxis, range: grid ? [grid.xs[0], grid.xs.at(-1)] : undefined },
      yaxis: { ...layout().yaxis, range: grid ? [grid.ys[0], grid.ys.at(-1)] : undefined } }), CONFIG);
  }

  async message(text) { await sayInPlot(await ready, this.el, text); }
}

/** A plot that has nothing to draw says why, in its middle, wrapped to its width. */
export async function sayInPlot(Plotly, el, text) {
  const width = Math.max(12, Math.floor(el.clientWidth / 7)); // characters of ~7 px per line
  await Plotly.react(el, [], layout({ showlegend: false, xaxis: { visible: false }, yaxis: { visible: false },
    annotations: [{ text: wrap(text, width), showarrow: false, x: 0.5, y: 0.5, xref: "paper", yref: "paper" }] }),
  CONFIG);
}

export class PreviewPlot {
  constructor(el) { this.el = el; }

  async render(preview) {
    const Plotly = await ready;
    const c = theme();
    const at = preview.alpha.indexOf(1);
    await Plotly.react(this.el, [
      { x: preview.alpha, y: preview.loss, mode: "lines", name: "L(θ + αΔθ)", line: { color: c.accent } },
      { x: [0], y: [preview.loss[0]], mode: "markers", name: t("plot.now"), marker: { color: c.fg, size: 8 } },
      ...(at >= 0 ? [{ x: [1], y: [preview.loss[at]], mode: "markers", name: t("plot.after_step"),
                       marker: { color: c.pos, size: 9, symbol: "diamond" } }] : []),
    ], layout({ xaxis: { ...layout().xaxis, title: { text: "α", standoff: 2 } } }), CONFIG);
  }

  async message(text) { await sayInPlot(await ready, this.el, text); }
}

/** Small multiples: each hidden neuron's output over the input plane, or (images) its weights. */
export function renderNeuronMaps(el, maps, caption) {
  const c = theme();
  const rgb = (hex) => [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));
  const pos = rgb(c.pos.length === 7 ? c.pos : "#58c4dd");
  const neg = rgb(c.neg.length === 7 ? c.neg : "#fc6255");
  const bg = rgb(c.paper.length === 7 ? c.paper : "#1d2027");
  // While playing the maps are redrawn twice a second with the same captions and sizes: the
  // elements stay, only their pixels change.
  const shape = JSON.stringify(maps.map((group) => [caption(group), group.w, group.h, group.values.length]));
  const count = maps.reduce((n, group) => n + 1 + group.values.length, 0); // a tag and its canvases
  const reuse = el.dataset.shape === shape && el.childElementCount === count; // (a panel may have emptied it)
  if (!reuse) {
    el.replaceChildren();
    el.dataset.shape = shape;
  }
  const canvases = reuse ? el.querySelectorAll("canvas") : [];
  let next = 0;
  for (const group of maps) {
    if (!reuse) {
      const tag = document.createElement("div");
      tag.className = "layer-tag";
      tag.textContent = caption(group);
      el.append(tag);
    }
    for (const [n, values] of group.values.entries()) {
      let canvas = canvases[next++];
      if (!canvas) {
        canvas = document.createElement("canvas");
        canvas.width = group.w;
        canvas.height = group.h;
        canvas.title = `${caption(group)} #${n}`;
        el.append(canvas);
      }
      const ctx = canvas.getContext("2d");
      const img = ctx.createImageData(group.w, group.h);
      let max = 1e-12;
      for (const v of values) max = Math.max(max, Math.abs(v));
      for (let k = 0; k < values.length; k++) {
        const rel = Math.max(-1, Math.min(1, values[k] / max));
        const to = rel > 0 ? pos : neg;
        const a = Math.abs(rel);
        for (let ch = 0; ch < 3; ch++) img.data[4 * k + ch] = Math.round(bg[ch] + (to[ch] - bg[ch]) * a);
        img.data[4 * k + 3] = 255;
      }
      ctx.putImageData(img, 0, 0);
    }
  }
}
