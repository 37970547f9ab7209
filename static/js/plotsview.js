// The plots as a view of the page model: the loss and the gradient norms per layer over the
// run's history (compare's run B dashed beside them), and the side plots beside the network (the
// step's preview, the decision boundary, the neuron maps: sideplots.js). plotly.js is parsed
// only once the network is on screen. After the side plots, the model's "sideplots" event gives
// the views that fetch their own numbers their turn.
import { busy } from "./busy.js";
import { BoundaryPlot, GradPlot, LossPlot, PreviewPlot, paceToFrames } from "./plots.js";
import { framePoints, historyPlan } from "./plotlogic.js";
import { drawPreview, drawSidePlots, wantSidePlots } from "./sideplots.js";
import { withoutEvalAt } from "./run.js";
import { emit, model, on, revealed } from "./store.js";
import { expose } from "./testhook.js";

const $ = (id) => document.getElementById(id);

/** plotly.js (1.5 MB) is parsed after the network is on screen, not before; the plots wait for it. */
function loadPlotly() {
  const script = document.createElement("script");
  script.src = new URL("../vendor/plotly.min.js", import.meta.url).href; // under the page's hashed prefix
  document.head.append(script);
}

/** The history as the loss plot shows it at the phase shown: the measure over all the data at
 * the step shown only once its loss is (run.js withoutEvalAt). */
function shownHistory() {
  const st = model.state;
  return st && !revealed(st.layers.length, model.page.phase).loss ? withoutEvalAt(model.history, st.step) : model.history;
}

/** The loss the network's stats show, as the loss plot's dot at its step: at rest, once the
 * phase shown has reached the loss; positive (the axis is logarithmic). */
function nowPoint() {
  const st = model.state;
  if (!st || model.playing || !revealed(st.layers.length, model.page.phase).loss) return null;
  const loss = st.loss + st.penalty;
  return Number.isFinite(loss) && loss > 0 ? { step: st.step, loss } : null;
}

export function mountPlots() {
  wantSidePlots(model.run, model, $("plot-neurons")); // a Step's answer carries the preview and the grid (app/extras.py)
  const plots = { loss: new LossPlot($("plot-loss")), grad: new GradPlot($("plot-grad")),
                  boundary: new BoundaryPlot($("plot-boundary")), preview: new PreviewPlot($("plot-preview")) };
  let sideTimer = null;

  /** Decision boundary, neuron maps, the step preview, then the turn of the views that ask for
   * their own numbers (neuron health, node pictures, the "why" views, the digit lab). */
  const sidePlots = async () => {
    await drawSidePlots(model, plots, $("plot-neurons"));
    emit("sideplots");
  };
  /** Extra requests: one turn for a burst of changes. */
  const scheduleSidePlots = () => {
    clearTimeout(sideTimer);
    expose({ sidePending: true });
    sideTimer = setTimeout(() => busy(sidePlots).finally(() => expose({ sidePending: false })), 0);
  };
  /** Every plot from the history at hand: after new numbers, a new language or look. */
  const redraw = async () => {
    if (!model.history || !model.state) return;
    scheduleSidePlots(); // their requests go out now; they draw after these (plots.js ready)
    const b = model.compare?.traces();
    const penalized = model.resolved.l1 > 0 || model.resolved.l2 > 0;
    await plots.loss.reset(shownHistory(), b?.loss ?? [], nowPoint(), penalized);
    await plots.grad.reset(model.history, model.state.layers.length, b?.grad ?? []);
  };

  on("state", ({ streamed }) => { if (!streamed) plots.loss.setNow(nowPoint()); });
  let plotlyAsked = false;
  on("state", () => {
    if (plotlyAsked) return;
    plotlyAsked = true;
    loadPlotly();
  });
  on("history", (rows) => {
    const plan = historyPlan({ playing: model.playing, rows, length: model.history.step.length, drawn: plots.loss.ready });
    if (plan === "extend" || plan === "extend-redraw") {
      plots.loss.extend(rows.step, rows.loss);
      plots.grad.extend(rows.step, rows.grad_norms);
    }
    if (plan === "extend") scheduleSidePlots();
    if (plan === "redraw" || plan === "extend-redraw") busy(redraw);
  });
  on("playing", (playing) => {
    paceToFrames(playing);
    if (playing) plots.loss.setNow(null); // not redrawn at every frame: shown again at the pause
  });
  on("catchup", (states) => {
    const { steps, losses, norms } = framePoints(states);
    plots.loss.extend(steps, losses);
    plots.grad.extend(steps, norms);
    busy(sidePlots);
  });
  on("compare-history", () => { if (!model.playing && model.history) busy(redraw); });
  on("page", (changes) => { // legends and captions are drawn inside the plots, colours from the look
    if ("phase" in changes && model.state) {
      plots.loss.setNow(nowPoint());
      if (model.history?.eval_step.at(-1) === model.state.step) busy(redraw); // its measure at this step: shown or not
      busy(() => drawPreview(model, plots)); // its numbers kept: nothing asked again
    }
    if ("lang" in changes || (("theme" in changes || "palette" in changes) && model.history)) busy(redraw);
  });
}
