// Inside the nodes: what each neuron computes over the input plane, as a small picture
// (TensorFlow Playground's node heatmaps), and a mark on neurons that gradient no longer
// reaches: dead (a cross) or saturated (a dashed ring). The pictures come from the side
// plots' grid of predictions (sideplots.js); drawing them needs only a 2-D context.

const SMALL_NET = 8; // neurons per layer up to which the pictures are on by default

/** Whether pictures are drawn: "1" on, "0" off, "auto" (or unset) on for 2-D inputs and small nets. */
export function picturesOn(setting, inputs, widths) {
  if (inputs !== 2) return false;
  if (setting === "1") return true;
  if (setting === "0") return false;
  return widths.every((n) => n <= SMALL_NET);
}

/** An activation's values mapped to [−1, 1] around its middle: σ and softmax around ½, tanh
 * around 0, the unbounded ones (ReLU, linear) by their largest magnitude. */
export function levels(values, activation) {
  if (activation === "sigmoid" || activation === "softmax") return values.map((a) => clamp(2 * a - 1));
  if (activation === "tanh") return values.map(clamp);
  const top = Math.max(1e-12, ...values.map((v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
  return values.map((v) => clamp(v / top));
}

function clamp(v) { return Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0; }

const rgb = (hex) => [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));

/** A w×h canvas of the levels: pos colour above the middle, neg below, the canvas colour at it. */
export function pictureCanvas(values, activation, w, h, colors) {
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  const [pos, neg, bg] = [colors.pos, colors.neg, colors.canvas].map((c) => rgb(c.length === 7 ? c : "#808080"));
  levels(values, activation).forEach((v, k) => {
    const to = v > 0 ? pos : neg;
    const a = Math.abs(v);
    img.data.set([0, 1, 2].map((ch) => Math.round(bg[ch] + (to[ch] - bg[ch]) * a)).concat(255), 4 * k);
  });
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** The picture inside the circle (x, y, r). */
export function drawPicture(ctx, picture, x, y, r) {
  ctx.save();
  ctx.beginPath();
  ctx.arc(x, y, r - 1, 0, 2 * Math.PI);
  ctx.clip();
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(picture, x - r, y - r, 2 * r, 2 * r);
  ctx.restore();
}

/** Dead: a cross through the node. Saturated: a dashed ring just outside it. */
export function drawFlag(ctx, kind, x, y, r, colors) {
  ctx.save();
  ctx.strokeStyle = colors.muted;
  ctx.globalAlpha = 0.95;
  if (kind === "dead") {
    const d = r * 0.75;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x - d, y - d);
    ctx.lineTo(x + d, y + d);
    ctx.moveTo(x + d, y - d);
    ctx.lineTo(x - d, y + d);
    ctx.stroke();
  } else if (kind === "saturated") {
    ctx.lineWidth = 1.5;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.arc(x, y, r + 4.5, 0, 2 * Math.PI);
    ctx.stroke();
  }
  ctx.restore();
}

/** Node pictures made once per grid of outputs (and theme): a new grid or palette starts afresh. */
export class PictureCache {
  constructor() { this.key = null; this.made = new Map(); }

  /** The picture of neuron i in column col (1 = first hidden layer), or null when there is none. */
  get(nodeMaps, col, i, activation, colors) {
    const group = nodeMaps?.maps?.[col - 1];
    const values = group?.values?.[i];
    if (!values || values.length !== group.w * group.h) return null;
    const key = `${colors.pos}|${colors.neg}|${colors.canvas}`;
    if (this.maps !== nodeMaps || this.key !== key) {
      this.maps = nodeMaps;
      this.key = key;
      this.made.clear();
    }
    const name = `${col}:${i}`;
    if (!this.made.has(name)) this.made.set(name, pictureCanvas(values, activation, group.w, group.h, colors));
    return this.made.get(name);
  }
}

/** Marks drawn over the network's own canvas (a transparent layer above it, so the network's
 * painter stays as it is): node pictures and dead/saturated flags, redrawn whenever the network
 * draws (its `drawn` list of nodes changes) or the marks change. */
export class NodeMarks {
  /** `hookName`: where the browser tests read what was marked (window.__bpx[hookName]). */
  constructor(overlay, network, colors, hookName = "marks") {
    this.hookName = hookName;
    this.overlay = overlay;
    this.network = network;
    this.colors = colors; // () => the network's colours
    this.ctx = overlay.getContext("2d");
    this.pictures = null; // {maps}: every layer's outputs over the input plane
    this.flags = new Map(); // "col:i" -> "dead" | "saturated"
    this.cache = new PictureCache();
    this.seen = null;
    this.dirty = true;
    this.marked = [];
    const loop = () => {
      if (this.dirty || this.network.drawn !== this.seen) this.draw();
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  set({ pictures, flags }) {
    if (pictures !== undefined) this.pictures = pictures;
    if (flags !== undefined) this.flags = flags;
    this.dirty = true;
  }

  draw() {
    this.dirty = false;
    this.seen = this.network.drawn;
    const { overlay, ctx } = this;
    const ratio = window.devicePixelRatio || 1;
    const [width, height] = [overlay.clientWidth, overlay.clientHeight];
    if (overlay.width !== Math.round(width * ratio) || overlay.height !== Math.round(height * ratio)) {
      overlay.width = Math.round(width * ratio);
      overlay.height = Math.round(height * ratio);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const state = this.network.state;
    this.marked = [];
    if (!state || this.network.probe) return; // a probe shows another input: the pictures are of the plane
    const c = this.colors();
    for (const n of this.seen?.nodes ?? []) {
      if (n.image || n.col < 1 || n.i < 0) continue;
      const activation = state.layers[n.col - 1]?.activation;
      const picture = this.pictures ? this.cache.get(this.pictures, n.col, n.i, activation, c) : null;
      if (picture && n.r >= 6) {
        drawPicture(ctx, picture, n.x, n.y, n.r);
        if (n.label) { // the network's own number, kept legible over the picture
          ctx.font = n.labelFont ?? "11px ui-monospace, monospace"; // the size it fits its circle in (network.js)
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          ctx.lineWidth = 3;
          ctx.lineJoin = "round";
          ctx.strokeStyle = c.canvas;
          ctx.strokeText(n.label, n.x, n.y, 2 * n.r - 4);
          ctx.fillStyle = c.text;
          ctx.fillText(n.label, n.x, n.y, 2 * n.r - 4);
        }
      }
      const flag = this.flags.get(`${n.col}:${n.i}`);
      if (flag) drawFlag(ctx, flag, n.x, n.y, n.r, c);
      if ((picture && n.r >= 6) || flag) this.marked.push({ col: n.col, i: n.i, picture: Boolean(picture && n.r >= 6), flag: flag ?? null });
    }
    if (window.__bpx) window.__bpx[this.hookName] = this.marked; // the browser tests' view of what was marked
  }
}
