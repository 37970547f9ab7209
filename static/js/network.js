// The network view, 3Blue1Brown style: a thin painter. What each edge and neuron shows is
// decided in encode.js, where everything goes in layout.js, what the pointer is over in
// hittest.js; this file only turns those lists into canvas strokes, once per animation frame
// and only when something changed.

import { drawGray } from "./images.js";
import { layoutColumns, columnSizes } from "./layout.js";
import { describe, encodeEdges, encodeNodes, layerScales, short } from "./encode.js";
import { hitTest, parseSelection, selectionName } from "./hittest.js";
import { lookColors } from "./lookcolors.js";
import { revealed } from "./store.js";
import { expose, hook } from "./testhook.js";

const NETWORK_COLORS = { pos: "--pos", neg: "--neg", node: "--node", canvas: "--canvas", grid: "--grid",
                         text: "--text", muted: "--muted", accent: "--accent" };

export { parseSelection };

const FADE_MS = 250; // what a phase reveals eases in over this long
const VALUE_FONTS = ["11px ui-monospace, monospace", "9px ui-monospace, monospace"];

/** A node's value as it fits its circle (`room` wide): three digits, else two (1e+142 for
 * 1.3e+142), in the usual font, else the smaller one; [text, font]. fillText's maxWidth
 * squeezes what is a little too wide (up to 10%, which reads the same) and what still is not. */
function fitLabel(ctx, value, room) {
  let last;
  for (const font of VALUE_FONTS) {
    ctx.font = font;
    for (const digits of [3, 2]) {
      last = [short(value, digits), font];
      if (0.9 * ctx.measureText(last[0]).width <= room) return last;
    }
  }
  return last;
}

export class NetworkView extends EventTarget {
  constructor(canvas, tooltip) {
    super();
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.ctx = canvas.getContext("2d");
    this.state = null;
    this.inputShape = null;
    this.probe = null;
    this.opts = { view: "gradients", scale: "layer", sample: "mean", phase: "", sel: "", highlight: null };
    this.drawn = { nodes: [], edges: [] };
    this.dirty = true;
    this.revealStart = 0;
    this.frameTimes = [];
    new ResizeObserver(() => this.invalidate()).observe(canvas);
    canvas.addEventListener("mousemove", (e) => this.hover(e));
    canvas.addEventListener("mouseleave", () => { this.pointer = null; this.tooltip.hidden = true; });
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

  scene() {
    return { state: this.state, inputShape: this.inputShape, probe: this.probe, opts: this.opts };
  }

  /** The tooltip's words for a node or edge ({kind, …} as hittest.js names them). */
  describe(target) { return describe(this.scene(), target); }

  /** The columns at this size (layout.js): where the shape buttons go. */
  layout(width, height) { return layoutColumns(columnSizes(this.state.layers), this.inputShape, width, height); }

  /** Largest |v| per layer (the legend's scale). */
  scales() { return layerScales(this.scene()); }

  /** The look's colours (lookcolors.js: read once per look). */
  colors() { return lookColors(NETWORK_COLORS); }

  draw() {
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

    const show = revealed(this.state.layers.length, this.opts.phase);
    const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
    const fade = reducedMotion ? 1 : Math.min(1, (performance.now() - this.revealStart) / FADE_MS);
    if (fade < 1) this.dirty = true;
    const columns = layoutColumns(columnSizes(this.state.layers), this.inputShape, width, height);
    this.columns = columns;
    const scene = this.scene();
    const edges = encodeEdges(scene, columns, show, fade);
    const nodes = encodeNodes(scene, columns, show, fade);
    this.paintActiveColumn(columns, show, c, height);
    this.paintEdges(edges, c);
    this.paintNodes(nodes, c);
    this.drawn = { nodes, edges };
    if (this.pointer && this.tooltip.owner === this && !this.tooltip.hidden) this.hover(this.pointer); // its numbers, now
    if (hook) {
      expose({
        edges: edges.map(({ l, i, j, v, color, width: w, arrow, x1, y1, x2, y2 }) =>
          ({ l, i, j, v, color, width: w, arrow: arrow?.dir ?? null, x1, y1, x2, y2 })),
        nodes: nodes.map(({ col, i, label, deltaLabel }) => ({ col, i, label, delta: deltaLabel })),
        frameTimes: this.frameTimes, view: this.opts.view, phase: this.opts.phase,
      });
    }
  }

  paintActiveColumn(columns, show, c, height) {
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

  paintEdges(edges, c) {
    const ctx = this.ctx;
    for (const e of edges) {
      ctx.globalAlpha = e.alpha;
      ctx.strokeStyle = e.color === "none" ? c.muted : c[e.color];
      ctx.lineWidth = e.width;
      ctx.beginPath();
      ctx.moveTo(e.x1, e.y1);
      ctx.lineTo(e.x2, e.y2);
      ctx.stroke();
      if (e.selected || e.hot) {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = c.accent;
        ctx.lineWidth = e.width + 3;
        ctx.setLineDash(e.selected ? [] : [4, 3]);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.strokeStyle = e.color === "none" ? c.grid : c[e.color];
        ctx.lineWidth = e.width;
        ctx.stroke();
      }
      if (e.arrow) this.paintArrow(e.arrow, c[e.color]);
    }
    ctx.globalAlpha = 1;
  }

  paintArrow({ x, y, dy, width, alpha }, color) {
    const ctx = this.ctx;
    ctx.save();
    ctx.globalAlpha = alpha;
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

  paintNodes(nodes, c) {
    const ctx = this.ctx;
    for (const n of nodes) {
      if (n.image) { this.paintImage(n.column, n.pixels, c); continue; }
      const { x, y, r } = n;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = c.canvas;
      ctx.fill();
      ctx.globalAlpha = n.fill;
      ctx.fillStyle = c.node;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1;
      ctx.strokeStyle = c.muted;
      ctx.stroke();
      if (n.ring) {
        ctx.beginPath();
        ctx.arc(x, y, r + 2.5, 0, 2 * Math.PI);
        ctx.strokeStyle = c[n.ring.color];
        ctx.lineWidth = n.ring.width;
        ctx.globalAlpha = n.ring.alpha;
        ctx.stroke();
        ctx.globalAlpha = 1;
      }
      if (n.selected || n.hot) {
        ctx.beginPath();
        ctx.arc(x, y, r + 6, 0, 2 * Math.PI);
        ctx.strokeStyle = c.accent;
        ctx.lineWidth = 2.5;
        ctx.setLineDash(n.selected ? [] : [4, 3]);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (n.value !== null) {
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillStyle = n.level > 0.55 ? c.canvas : c.text;
        const room = 2 * r - 4; // the value stays inside its circle: fewer digits, a smaller font, then squeezed
        const [text, font] = fitLabel(ctx, n.value, room);
        ctx.font = font;
        ctx.fillText(text, x, y, room);
        n.label = text; // the numbers written on the canvas, for tests and the text alternative
        n.labelFont = font;
        ctx.font = VALUE_FONTS[0]; // the δ below in the usual size
        if (n.delta !== null) { // a halo of the canvas colour: legible over edges and arrows of its own colour
          const label = `δ ${short(n.delta)}`;
          ctx.lineWidth = 4;
          ctx.lineJoin = "round";
          ctx.strokeStyle = c.canvas;
          ctx.strokeText(label, x, y + r + 12);
          ctx.fillStyle = -n.delta > 0 ? c.pos : c.neg;
          ctx.fillText(label, x, y + r + 12);
          n.deltaLabel = label;
        }
      }
      if (n.target !== null) { // the target beside each output
        ctx.font = "12px ui-monospace, monospace";
        ctx.textAlign = "left";
        ctx.fillStyle = c.muted;
        ctx.fillText(`y ${short(n.target)}`, x + r + 8, y);
      }
      if (n.index !== null) { // which output is which (the digit, for the digits)
        ctx.font = "11px ui-monospace, monospace";
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillStyle = c.muted;
        ctx.fillText(n.index, x + r + 7, y);
      }
    }
  }

  paintImage(column, values, c) {
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
    return hitTest(this.drawn, event.clientX - rect.left, event.clientY - rect.top);
  }

  /** The tooltip of what is under the pointer, kept inside the page (a phone cut its right
   * side off) and, as the pointer stays, redrawn with each State (draw()): a tap's tooltip
   * showed an old run's numbers through a new comparison and a whole Play. */
  hover(event) {
    this.pointer = { clientX: event.clientX, clientY: event.clientY };
    const target = this.hit(event);
    const tip = this.tooltip;
    tip.owner = this; // run A's view or compare's B's: one tooltip
    if (!target) { tip.hidden = true; return; }
    const text = describe(this.scene(), target);
    if (tip.hidden || tip.textContent !== text) tip.textContent = text;
    tip.hidden = false;
    const box = tip.offsetParent?.getBoundingClientRect() ?? { left: 0, top: 0 };
    const at = this.canvas.getBoundingClientRect();
    const [x, y] = [at.left - box.left + target.x, at.top - box.top + target.y];
    const room = document.documentElement.clientWidth - box.left - 4; // the page's right edge, in the parent's terms
    const left = x + 14 + tip.offsetWidth <= room ? x + 14 : Math.max(-box.left + 4, x - 14 - tip.offsetWidth);
    const bottom = document.documentElement.clientHeight - box.top - 4;
    const top = y + 10 + tip.offsetHeight <= bottom ? y + 10 : Math.max(-box.top + 4, y - 10 - tip.offsetHeight);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }

  click(event) {
    this.dispatchEvent(new CustomEvent("select", { detail: selectionName(this.hit(event)) }));
  }
}
