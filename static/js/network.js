// The network view: nodes and edges on a canvas, 3Blue1Brown style.
// Edge colour is a signed value v: blue when v > 0, red when v < 0.
//   weights view:   v = w                   (blue positive weight, red negative)
//   gradients view: v = −∂L/∂w, the nudge    (blue ↑: the loss falls if w grows)
//   update view:    v = Δw actually applied  (blue: w grew)
// Width and arrow length grow with |v|, scaled per layer or over the whole network.
// Update (data in) and draw (requestAnimationFrame) are separate: draw only when dirty.

import { drawGray } from "./images.js";
import { revealed } from "./store.js";
import { nonFinite } from "./numbers.js";
import { t } from "./i18n.js";

const IMAGE_EDGES_PER_NEURON = 6; // a 784-wide input shows each neuron's strongest pixels
const ARROW_MAX_EDGES = 40;       // arrows on small nets only: beyond this they are noise
const LABEL_MIN_GAP = 90;         // px between neurons needed to print a, δ without overlap
const LABEL_MIN_COL_GAP = 70;     // px between columns for the same (δ 0.0943 is about 60 px wide)

export class NetworkView extends EventTarget {
  constructor(canvas, tooltip) {
    super();
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.ctx = canvas.getContext("2d");
    this.state = null;
    this.inputShape = null;
    this.opts = { view: "gradients", scale: "layer", sample: "mean", phase: "", sel: "", highlight: null };
    this.drawn = { nodes: [], edges: [] };
    this.dirty = true;
    this.revealStart = 0;
    this.frameTimes = [];
    new ResizeObserver(() => this.invalidate()).observe(canvas);
    canvas.addEventListener("mousemove", (e) => this.hover(e));
    canvas.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    canvas.addEventListener("click", (e) => this.click(e));
    const loop = (time) => {
      if (this.dirty) {
        const start = performance.now();
        this.draw(time);
        this.frameTimes.push(performance.now() - start);
        if (this.frameTimes.length > 600) this.frameTimes.shift();
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  setState(state, inputShape) {
    this.state = state;
    this.inputShape = inputShape;
    this.invalidate();
  }

  /** Show the network's response to one input of the student's own ({x, layers}), or one training
   * example with its own gradient ({x, layers, deltas, grads}); null goes back to the batch. */
  setProbe(probe) {
    this.probe = probe;
    this.invalidate();
  }

  setOptions(opts) {
    if (opts.phase !== undefined && opts.phase !== this.opts.phase) this.revealStart = performance.now();
    Object.assign(this.opts, opts);
    this.invalidate();
  }

  invalidate() { this.dirty = true; }

  // -- what each edge shows -------------------------------------------------------------------

  sampleIndex() {
    const s = this.opts.sample;
    return s === "mean" ? null : Math.min(Number(s), this.state.batch.index.length - 1);
  }

  /** The signed value v of edge (l, i, j) in the current view (see the header). */
  edgeValue(l, i, j) {
    const layer = this.state.layers[l];
    if (this.probe?.grads && this.opts.view === "gradients") return -this.probe.grads[l][i][j];
    if (this.opts.view === "weights" || this.probe) return layer.W[i][j];
    if (this.opts.view === "applied") return layer.dW_applied[i][j];
    const s = this.sampleIndex();
    if (s === null) return -layer.dW[i][j];
    const aPrev = l === 0 ? this.state.batch.x[s] : this.state.layers[l - 1].a[s];
    return -layer.delta[s][i] * aPrev[j];
  }

  /** Largest |v| per layer, or one over all layers with the global scale. */
  scales() {
    const per = this.state.layers.map((layer, l) => {
      let max = 0;
      for (let i = 0; i < layer.W.length; i++) {
        for (let j = 0; j < layer.W[i].length; j++) max = Math.max(max, Math.abs(this.edgeValue(l, i, j)) || 0);
      }
      return max; // 0 when a layer's values all are: saturated units pass no gradient, and the legend says so
    });
    if (this.opts.scale === "global") {
      const top = Math.max(...per);
      return per.map(() => top);
    }
    return per;
  }

  /** The activation shown in a node: one sample's, or the batch mean. */
  nodeValues(column) {
    if (this.probe) return column === 0 ? this.probe.x : this.probe.layers[column - 1];
    const rows = column === 0 ? this.state.batch.x : this.state.layers[column - 1].a;
    const s = this.sampleIndex();
    if (s !== null) return rows[s];
    return rows[0].map((_, i) => rows.reduce((sum, r) => sum + r[i], 0) / rows.length);
  }

  deltaValues(column) {
    if (this.probe) return this.probe.deltas[column - 1];
    const rows = this.state.layers[column - 1].delta;
    const s = this.sampleIndex();
    if (s !== null) return rows[s];
    return rows[0].map((_, i) => rows.reduce((sum, r) => sum + r[i], 0) / rows.length);
  }

  // -- layout ---------------------------------------------------------------------------------------

  layout(width, height) {
    const layers = this.state.layers;
    const sizes = [layers[0].W[0].length, ...layers.map((l) => l.W.length)];
    const image = this.inputShape && this.inputShape.length === 2;
    const padX = Math.min(56, Math.max(24, width * 0.08)); // a narrow pane (compare) keeps its width for columns
    const padY = 26;
    const colGap = (width - 2 * padX - 40) / (sizes.length - 1);
    const xs = sizes.map((_, c) => padX + c * colGap);
    const columns = sizes.map((n, c) => {
      if (c === 0 && image) {
        const side = Math.min(height - 2 * padY, (xs[1] - xs[0]) * 0.7, 240);
        return { image: true, x: Math.max(xs[0], 12 + side / 2), top: (height - side) / 2, side, n };
      }
      const gap = (height - 2 * padY) / n;
      // neurons fit their column as well as their row: deep nets in a narrow pane do not merge
      const r = Math.max(2.5, Math.min(20, gap * 0.36, colGap * 0.25)); // room for the δ ring
      const ys = Array.from({ length: n }, (_, i) => padY + gap * (i + 0.5));
      return { image: false, x: xs[c], ys, r, n, gap, colGap };
    });
    return columns;
  }

  point(column, i) {
    if (column.image) {
      const [h, w] = this.inputShape;
      const px = column.side / w;
      return [column.x - column.side / 2 + ((i % w) + 0.5) * px, column.top + (Math.floor(i / w) + 0.5) * px];
    }
    return [column.x, column.ys[i]];
  }

  // -- drawing --------------------------------------------------------------------------------------

  colors() {
    const css = getComputedStyle(document.documentElement);
    const get = (name) => css.getPropertyValue(name).trim();
    return { pos: get("--pos"), neg: get("--neg"), node: get("--node"), canvas: get("--canvas"),
             grid: get("--grid"), text: get("--text"), muted: get("--muted"), accent: get("--accent") };
  }

  draw(time) {
    this.dirty = false;
    const { canvas, ctx } = this;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const c = this.colors();
    ctx.fillStyle = c.canvas;
    ctx.fillRect(0, 0, width, height);
    if (!this.state || width < 50 || height < 50) return;

    const nLayers = this.state.layers.length;
    const show = revealed(nLayers, this.opts.phase);
    const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
    const fade = reducedMotion ? 1 : Math.min(1, (performance.now() - this.revealStart) / 250);
    if (fade < 1) this.dirty = true;
    const columns = this.layout(width, height);
    this.columns = columns;
    this.drawActiveColumn(columns, show, c, height);
    const edges = this.drawEdges(columns, show, c, fade);
    const nodes = this.drawNodes(columns, show, c, fade);
    this.drawn = { nodes, edges };
    window.__bpx = Object.assign(window.__bpx || {}, {
      edges: edges.map(({ l, i, j, v, color, width: w, arrow, x1, y1, x2, y2 }) =>
        ({ l, i, j, v, color, width: w, arrow, x1, y1, x2, y2 })),
      nodes: nodes.map(({ col, i, label, delta }) => ({ col, i, label, delta })),
      frameTimes: this.frameTimes, view: this.opts.view, phase: this.opts.phase,
    });
  }

  drawActiveColumn(columns, show, c, height) {
    const phase = show.active;
    if (!phase) return;
    const ctx = this.ctx;
    const [kind, arg] = phase.split(":");
    const at = kind === "loss" ? columns.length - 1 : kind === "update" ? -1 : Number(arg) + 1;
    ctx.save();
    ctx.fillStyle = c.accent;
    const band = (x0, x1, alpha) => {
      ctx.globalAlpha = alpha;
      ctx.beginPath();
      ctx.roundRect(x0, 6, x1 - x0, height - 12, 12);
      ctx.fill();
    };
    if (at >= 0) {
      const col = columns[at];
      if (kind === "backward") band(columns[at - 1].x + 24, col.x - 24, 0.035); // the weights it finds ∂L/∂W for
      band(col.x - 28, col.x + 28, 0.09);
    } else {
      band(columns[0].x - 28, columns[columns.length - 1].x + 28, 0.05);
    }
    ctx.restore();
  }

  drawEdges(columns, show, c, fade) {
    const ctx = this.ctx;
    const scales = this.scales();
    const layers = this.state.layers;
    const out = [];
    const sel = parseSelection(this.opts.sel);
    const hot = this.opts.highlight?.edges ?? [];
    for (let l = 0; l < layers.length; l++) {
      const from = columns[l];
      const to = columns[l + 1];
      const W = layers[l].W;
      // In the gradient view a layer's edges get their colour when its backward phase is reached.
      const known = this.opts.view === "weights" || this.probe
        || (this.opts.view === "gradients" ? show.backward(l) : show.update);
      const justNow = show.active === `backward:${l}` || (show.active === "update" && this.opts.view === "applied");
      const pairs = [];
      if (from.image) {
        for (let i = 0; i < W.length; i++) {
          const ranked = W[i].map((_, j) => [Math.abs(this.edgeValue(l, i, j)), j]).sort((a, b) => b[0] - a[0]);
          for (const [, j] of ranked.slice(0, IMAGE_EDGES_PER_NEURON)) pairs.push([i, j]);
        }
      } else {
        for (let i = 0; i < W.length; i++) for (let j = 0; j < W[i].length; j++) pairs.push([i, j]);
      }
      const arrows = this.opts.view !== "weights" && (!this.probe || this.probe.grads) && known && pairs.length <= ARROW_MAX_EDGES;
      // Dense layers get thinner, fainter lines, so the strong ones still stand out.
      const maxWidth = pairs.length <= 16 ? 6 : pairs.length <= 64 ? 4 : 2.2;
      const maxAlpha = pairs.length <= 64 ? 1 : 0.75;
      for (const [i, j] of pairs) {
        const v = this.edgeValue(l, i, j);
        const rel = !Number.isFinite(v) ? 1 : scales[l] > 0 ? Math.min(1, Math.abs(v) / scales[l]) : 0;
        const [x1, y1] = this.point(from, j);
        const [x2, y2] = [to.x, to.ys[i]];
        const color = !known || v === 0 || Number.isNaN(v) ? "none" : v > 0 ? "pos" : "neg"; // NaN has no sign
        const width = known ? 0.4 + (maxWidth - 0.4) * rel ** 0.75 : 0.6;
        ctx.globalAlpha = (known ? 0.06 + (maxAlpha - 0.06) * rel ** 0.9 : 0.22) * (justNow ? fade : 1);
        ctx.strokeStyle = color === "none" ? c.muted : c[color];
        ctx.lineWidth = width;
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x2, y2);
        ctx.stroke();
        const selected = sel && sel.kind === "e" && sel.l === l && sel.i === i && sel.j === j;
        const isHot = hot.some(([hl, hi, hj]) => hl === l && hi === i && hj === j);
        if (selected || isHot) {
          ctx.globalAlpha = 1;
          ctx.strokeStyle = c.accent;
          ctx.lineWidth = width + 3;
          ctx.setLineDash(selected ? [] : [4, 3]);
          ctx.stroke();
          ctx.setLineDash([]);
          ctx.strokeStyle = color === "none" ? c.grid : c[color];
          ctx.lineWidth = width;
          ctx.stroke();
        }
        let arrow = null;
        if (arrows && color !== "none") {
          arrow = v > 0 ? "up" : "down";
          const mx = x1 + (x2 - x1) * 0.55;
          const my = y1 + (y2 - y1) * 0.55;
          const len = (4 + 16 * rel) * (justNow ? fade : 1);
          this.arrow(mx, my, v > 0 ? -len : len, c[color], Math.max(1.2, width * 0.8), rel);
        }
        out.push({ l, i, j, v, color, width, arrow, x1, y1, x2, y2 });
      }
    }
    ctx.globalAlpha = 1;
    return out;
  }

  arrow(x, y, dy, color, width, rel) {
    const ctx = this.ctx;
    ctx.save();
    ctx.globalAlpha = 0.35 + 0.65 * rel;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x, y + dy);
    ctx.stroke();
    const head = Math.min(6, 3 + Math.abs(dy) * 0.25) * Math.sign(dy);
    ctx.beginPath();
    ctx.moveTo(x, y + dy - head * 0.2);
    ctx.lineTo(x - Math.abs(head) * 0.7, y + dy - head);
    ctx.lineTo(x + Math.abs(head) * 0.7, y + dy - head);
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }

  drawNodes(columns, show, c, fade) {
    const ctx = this.ctx;
    const out = [];
    const sel = parseSelection(this.opts.sel);
    const hot = this.opts.highlight?.nodes ?? [];
    const last = columns.length - 1;
    for (let col = 0; col < columns.length; col++) {
      const column = columns[col];
      const known = col === 0 || show.forward(col - 1);
      const values = known ? this.nodeValues(col) : null;
      if (column.image) {
        this.drawImage(column, values, c);
        out.push({ col, i: -1, image: true, x: column.x, y: column.top + column.side / 2, r: column.side / 2 });
        continue;
      }
      const act = col === 0 ? "linear" : this.state.layers[col - 1].activation;
      const maxAbs = values ? Math.max(1e-12, ...values.map((v) => Math.abs(v) || 0)) : 1;
      const deltaKnown = col > 0 && show.backward(col - 1) && (!this.probe || Boolean(this.probe.deltas));
      const deltas = deltaKnown ? this.deltaValues(col) : null;
      const maxDelta = deltas ? Math.max(1e-12, ...deltas.map((v) => Math.abs(v) || 0)) : 1;
      const labels = column.gap >= LABEL_MIN_GAP && column.colGap >= LABEL_MIN_COL_GAP;
      for (let i = 0; i < column.n; i++) {
        const [x, y] = [column.x, column.ys[i]];
        const r = column.r;
        const said = {}; // the numbers written on the canvas, for tests and the text alternative
        let level = 0;
        if (values) {
          const a = values[i];
          level = ["sigmoid", "softmax"].includes(act) ? a : act === "tanh" ? (a + 1) / 2 : Math.abs(a) / maxAbs;
          level = Math.max(0, Math.min(1, Number.isFinite(level) ? level : 0));
        }
        ctx.beginPath();
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.fillStyle = c.canvas;
        ctx.fill();
        ctx.globalAlpha = values ? 0.08 + 0.92 * level * (col > 0 && show.active === `forward:${col - 1}` ? fade : 1) : 0;
        ctx.fillStyle = c.node;
        ctx.fill();
        ctx.globalAlpha = 1;
        ctx.lineWidth = 1;
        ctx.strokeStyle = c.muted;
        ctx.stroke();
        if (deltas && Number.isFinite(deltas[i])) { // ring: −δ, the nudge this neuron's z wants
          const rel = Math.abs(deltas[i]) / maxDelta;
          ctx.beginPath();
          ctx.arc(x, y, r + 2.5, 0, 2 * Math.PI);
          ctx.strokeStyle = -deltas[i] > 0 ? c.pos : c.neg;
          ctx.lineWidth = 1 + 4 * rel;
          ctx.globalAlpha = (0.3 + 0.7 * rel) * (show.active === `backward:${col - 1}` ? fade : 1);
          ctx.stroke();
          ctx.globalAlpha = 1;
        }
        const selected = sel && sel.kind === "n" && sel.col === col && sel.i === i;
        const isHot = hot.some(([hc, hi]) => hc === col && hi === i);
        if (selected || isHot) {
          ctx.beginPath();
          ctx.arc(x, y, r + 6, 0, 2 * Math.PI);
          ctx.strokeStyle = c.accent;
          ctx.lineWidth = 2.5;
          ctx.setLineDash(selected ? [] : [4, 3]);
          ctx.stroke();
          ctx.setLineDash([]);
        }
        if (labels && values) {
          ctx.font = "11px ui-monospace, monospace";
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          ctx.fillStyle = level > 0.55 ? c.canvas : c.text;
          const room = 2 * r - 4; // the value stays inside its circle: fewer digits, then squeezed
          const text = ctx.measureText(short(values[i])).width > room ? short(values[i], 2) : short(values[i]);
          ctx.fillText(text, x, y, room);
          said.label = text;
          if (deltas) { // a halo of the canvas colour: legible over edges and arrows of its own colour
            const text = `δ ${short(deltas[i])}`;
            ctx.lineWidth = 4;
            ctx.lineJoin = "round";
            ctx.strokeStyle = c.canvas;
            ctx.strokeText(text, x, y + r + 12);
            ctx.fillStyle = -deltas[i] > 0 ? c.pos : c.neg;
            ctx.fillText(text, x, y + r + 12);
            said.delta = text;
          }
        }
        if (col === last && show.loss && labels) { // the target beside each output
          ctx.font = "12px ui-monospace, monospace";
          ctx.textAlign = "left";
          ctx.fillStyle = c.muted;
          const s = this.sampleIndex();
          const ys = this.state.batch.y;
          const target = s === null ? ys.reduce((sum, row) => sum + row[i], 0) / ys.length : ys[s][i];
          ctx.fillText(`y ${short(target)}`, x + r + 8, y);
        }
        if (col === last && !labels) { // which output is which (the digit, for the digits)
          ctx.font = "11px ui-monospace, monospace";
          ctx.textAlign = "left";
          ctx.textBaseline = "middle";
          ctx.fillStyle = c.muted;
          ctx.fillText(String(i), x + r + 7, y);
        }
        out.push({ col, i, x, y, r, ...said });
      }
    }
    return out;
  }

  drawImage(column, values, c) {
    const [h, w] = this.inputShape;
    if (!this.offscreen) this.offscreen = document.createElement("canvas");
    const off = this.offscreen;
    drawGray(off, values ?? [], w, h);
    const ctx = this.ctx;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, column.x - column.side / 2, column.top, column.side, column.side);
    ctx.strokeStyle = c.muted;
    ctx.strokeRect(column.x - column.side / 2, column.top, column.side, column.side);
  }

  // -- interaction ------------------------------------------------------------------------------------

  hit(event) {
    if (!this.state) return null;
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    for (const n of this.drawn.nodes) {
      if (!n.image && Math.hypot(x - n.x, y - n.y) <= n.r + 4) return { kind: "n", col: n.col, i: n.i, x, y };
    }
    let best = null;
    for (const e of this.drawn.edges) {
      const d = segmentDistance(x, y, e.x1, e.y1, e.x2, e.y2);
      if (d < Math.max(5, e.width) && (!best || d < best.d)) best = { d, e };
    }
    return best ? { kind: "e", l: best.e.l, i: best.e.i, j: best.e.j, x, y } : null;
  }

  hover(event) {
    const target = this.hit(event);
    if (!target) { this.tooltip.hidden = true; return; }
    this.tooltip.hidden = false;
    this.tooltip.style.left = `${target.x + 14}px`;
    this.tooltip.style.top = `${target.y + 10}px`;
    this.tooltip.textContent = this.describe(target);
  }

  /** The tooltip: the numbers the canvas draws for this edge or neuron — the selected sample's
   * or the batch mean's, saying which — and "not yet" before the phase that computes them. */
  describe(target) {
    const st = this.state;
    const s = this.sampleIndex();
    const which = s === null ? t("tip.mean", { B: st.batch.index.length }) : t("tip.sample", { s });
    const show = revealed(st.layers.length, this.opts.phase);
    const notYet = t("inspector.not_yet");
    if (target.kind === "e") {
      const { l, i, j } = target;
      const layer = st.layers[l];
      const w = `W${l}[${i}][${j}] = ${short(layer.W[i][j], 5)}`;
      if (!show.backward(l)) return `${w}\n∂L/∂w: ${notYet}`;
      const g = s === null ? layer.dW[i][j] : layer.delta[s][i] * (l === 0 ? st.batch.x[s] : st.layers[l - 1].a[s])[j];
      const dL = s === null ? "∂L/∂w" : `∂ℓ${subscript(s)}/∂w`;
      return `${w}\n${which}:\n${dL} = ${short(g, 5)}\n−${dL} = ${short(-g, 5)} ${g < 0 ? "↑" : g > 0 ? "↓" : ""}`;
    }
    if (target.col === 0) return `x${target.i} = ${short(this.nodeValues(0)[target.i], 5)} (${which})`;
    const l = target.col - 1;
    if (!show.forward(l)) return `a, z: ${notYet}`;
    const mean = (rows) => rows.reduce((sum, r) => sum + r[target.i], 0) / rows.length;
    const pick = (rows) => (s === null ? mean(rows) : rows[s][target.i]);
    const layer = st.layers[l];
    return `${which}:\na = ${short(pick(layer.a), 5)}\nz = ${short(pick(layer.z), 5)}\n`
      + `δ = ${show.backward(l) ? short(pick(layer.delta), 5) : notYet}`;
  }

  click(event) {
    const target = this.hit(event);
    const sel = !target ? "" : target.kind === "e" ? `e:${target.l}:${target.i}:${target.j}` : `n:${target.col}:${target.i}`;
    this.dispatchEvent(new CustomEvent("select", { detail: sel }));
  }
}

export function parseSelection(sel) {
  if (!sel) return null;
  const [kind, ...nums] = sel.split(":");
  const n = nums.map(Number);
  if (n.some((v) => !Number.isInteger(v) || v < 0)) return null;
  if (kind === "e" && n.length === 3) return { kind, l: n[0], i: n[1], j: n[2] };
  if (kind === "n" && n.length === 2) return { kind, col: n[0], i: n[1] };
  return null;
}

const subscript = (n) => String(n).replace(/\d/g, (d) => "₀₁₂₃₄₅₆₇₈₉"[d]);

function short(v, digits = 3) {
  const named = nonFinite(v); // a diverged run's NaN / ∞, not a dash that reads as "nothing"
  if (named) return named;
  if (v === null || v === undefined) return "—";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(1);
  return Number(v.toPrecision(digits)).toString();
}

function segmentDistance(px, py, x1, y1, x2, y2) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}
