// "Why this weight moves": the shares chart and the loss surface for the selected parameter,
// fetched together after a step or a new selection (not while playing: one surface is up to
// 41×41 forward passes). The second parameter of the surface defaults to the first one's
// neuron's bias; the student may type another (W<l>:<i>:<j> or b<l>:<i>).
import { api } from "./api.js";
import { decodeFrame } from "./frames.js";
import { t } from "./i18n.js";
import { parseSelection } from "./network.js";
import { coordinate, parameterFor } from "./parameters.js";
import { model, on } from "./store.js";
import { whenVisible } from "./visible.js";

const POINTS = 31;

// Its two charts' modules, fetched with the panel's first numbers: it is below the fold at first load.
let charts = null;
const loadCharts = () => (charts ??= Promise.all([import("./shares.js"), import("./surface.js")])
  .catch((error) => { charts = null; throw error; }));

/** The batch with every sample's inputs (the pictures of the samples that pull hardest): a big
 * net's State at rest has one sample's (app/sampled.py), the others come once per step. */
let batchKept = { key: "", batch: null };
async function batchInputs(id, st) {
  if (st.batch.x.only === undefined && !st.batch.x.mean) return st.batch;
  const key = `${id}|${st.step}`;
  if (batchKept.key !== key) {
    const batch = api.state(id, { fields: "step,batch", format: "compact" }).then((a) => decodeFrame(a).batch);
    batch.catch(() => { if (batchKept.key === key) batchKept = { key: "", batch: null }; }); // not remembered
    batchKept = { key, batch };
  }
  return batchKept.batch;
}

/** The default second parameter in words (app/insight.py partner_of): a weight's own bias, a
 * bias's first weight, or, under batch norm, the next weight into the same neuron. */
function partnerWords(p, q) {
  if (q.startsWith("b")) return t("why.q_default");
  return t(p.startsWith("b") ? "why.q_default_first" : "why.q_default_next", { q });
}

export class WhyPanel {
  /** hooks: runId(), state(), page(), inputShape(), pick(sampleIndex), busy(fn) */
  constructor(root, hooks) {
    this.root = root;
    this.hooks = hooks;
    this.shares = null; // a SharesView and a SurfaceView, made with the first numbers (loadCharts)
    this.surface = null;
    this.qInput = root.querySelector("#surface-q");
    this.pLabel = root.querySelector("#surface-p");
    this.note = root.querySelector("#surface-note");
    this.key = "";
    this.qFor = ""; // the first parameter a typed q belongs to: a new selection forgets it
    this.qInput.addEventListener("change", () => { this.key = ""; hooks.busy(() => this.update()); });
  }

  async update() {
    const { runId, state, page, inputShape } = this.hooks;
    const st = state();
    if (!st) return;
    const id = runId();
    const param = parameterFor(parseSelection(page().sel), st.layers.length);
    const p = coordinate(param);
    if (this.qFor && this.qFor !== p) this.qInput.value = ""; // typed for another parameter (not before the first)
    this.qFor = p;
    const q = this.qInput.value.trim() || null;
    this.pLabel.textContent = p;
    this.qInput.placeholder = t("why.q_default");
    const key = `${id}|${st.step}|${p}|${q}|${page().sample}|${page().lang}|${page().theme}`;
    if (key === this.key) return;
    this.key = key;
    const [shares, surface, batch, [{ SharesView }, { SurfaceView }]] = await Promise.all([
      api.shares(id, param.layer, param.i, param.j),
      api.surface(id, { p, q, points: POINTS }).catch((error) => ({ error })),
      batchInputs(id, st),
      loadCharts(),
    ]);
    if (id !== runId() || key !== this.key) return; // a newer request has the floor
    this.shares ??= new SharesView(this.root.querySelector("#plot-shares"), this.root.querySelector("#shares-images"), this.hooks.pick);
    this.surface ??= new SurfaceView(this.root.querySelector("#plot-surface"));
    if (window.__bpx) window.__bpx.why = { shares, surface, p, q }; // for the browser tests
    // A diverged run's numbers are NaN or ∞: the panels say so, not empty axes or a stale path
    const step = st.diverged_at ?? st.step;
    if (shares.shares.some(Number.isFinite)) await this.shares.render(shares, { ...st, batch }, inputShape(), page().sample);
    else await this.shares.message(t("why.shares_diverged", { step }));
    if (!surface.error && !surface.loss.flat().some(Number.isFinite)) {
      this.note.textContent = "";
      await this.surface.message(t("why.surface_diverged", { step }));
      return;
    }
    // a typed second parameter the server refused is marked on the field, for a screen reader too
    this.qInput.setAttribute("aria-invalid", String(Boolean(surface.error && surface.error.field === "q")));
    if (surface.error) { // said once, under the field it is about; the plot says there is nothing
      this.note.textContent = surface.error.message;
      await this.surface.message(t("why.surface_none"));
      return;
    }
    const [, second] = surface.parameters;
    if (!q) this.qInput.placeholder = partnerWords(p, second);
    // batch norm takes a hidden layer's bias out again with the batch mean: say why it is flat
    const flat = surface.parameters.find((c) => c.startsWith("b") && st.layers[Number(c.slice(1).split(":")[0])]?.bn);
    this.note.textContent = [
      surface.points < surface.points_asked ? t("why.fewer_points", { n: surface.points, asked: surface.points_asked }) : "",
      flat ? t("why.bn_flat", { b: flat }) : "",
    ].filter(Boolean).join(" ");
    await this.surface.render(surface);
    if (window.__bpx) window.__bpx.whyDrawn = (window.__bpx.whyDrawn || 0) + 1;
  }
}

/** The panel as a view of the page model: it fetches anew for a new selection or sample, and
 * on the side plots' turn ("sideplots": after a step, throttled), never while playing, and
 * only when on screen (else once it scrolls into view). */
export function mountWhy(root, { setPage, busy }) {
  const why = new WhyPanel(root, { runId: () => model.runId, state: () => model.state, page: () => model.page,
    inputShape: () => model.data?.input_shape, pick: (s) => setPage({ sample: String(s) }), busy });
  const update = whenVisible(root, () => { if (model.state && !model.playing) busy(() => why.update()); });
  on("page", (changes) => { if (("sel" in changes || "sample" in changes) && model.state && !model.playing) update(); });
  on("sideplots", () => { if (!model.playing) update(); });
}
