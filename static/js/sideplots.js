// The plots beside the network that need numbers besides the State: the loss along the coming
// update, the decision boundary (or regression surface) over the input plane with the batch
// ringed, and what each hidden neuron computes (small multiples), or for images the
// first-layer weights as pictures. A Step's answer carries those numbers (app/extras.py);
// a run opened or paused carries them too; otherwise (a view asking on its own) one request each.
import { api } from "./api.js";
import { busy } from "./busy.js";
import { gridPictures, wholeMatrix } from "./frames.js";
import { t } from "./i18n.js";
import { renderNeuronMaps } from "./plots.js";
import { revealed } from "./store.js";
import { watchVisible } from "./visible.js";

const GRID = 40; // points per side of the input plane

/** What the side plots need from a Step's answer (app/extras.py): the preview, and for a net
 * over the plane the grid. */
export function wantSidePlots(run, model, neuronsEl) {
  run.want("preview");
  run.want("grid", () => model.data?.x?.[0]?.length === 2 && model.data.input_shape.length !== 2);
  // For images, the first layer's weights as pictures: whole in a big net's State at rest while
  // they are on screen (else only the edges the network draws), and asked for once on showing.
  const inView = watchVisible(neuronsEl, () => {
    if (!model.state || model.playing || run.hasWhole("layers.W")) return;
    busy(async () => {
      await run.refresh();
      if (model.data?.input_shape.length === 2 && model.state) drawWeightPictures(model, neuronsEl);
    });
  });
  run.wantWhole("layers.W", () => !inView.offScreen());
}

/** The run's numbers for the State shown: carried by the Step's answer when it asked for
 * them, else one request each; kept, so a redraw (theme, language) asks nothing again. */
let kept = { key: "", preview: null, grid: null };

async function numbers(model, part, fetch) {
  const key = `${model.runId}|${model.state.step}`;
  if (kept.key !== key) kept = { key, preview: null, grid: null };
  const mine = kept; // while playing, a later State's turn may replace `kept` meanwhile
  const carried = model.run?.extras?.step === model.state.step ? model.run.extras[part] : undefined;
  mine[part] ??= carried ?? await fetch();
  return mine[part];
}

/** An image net's first-layer weights, one picture per neuron. */
function drawWeightPictures(model, neuronsEl) {
  const [h, w] = model.data.input_shape;
  renderNeuronMaps(neuronsEl, [{ layer: 0, w, h, values: wholeMatrix(model.state.layers[0].W) }], () => t("plot.weights_of_layer1"));
}

/** The loss along the coming update, once the phase shown has reached the update: before, it
 * would tell what the step is yet to show (the quiz's "will the loss fall?" read off it). */
export async function drawPreview(model, plots) {
  const id = model.runId;
  const preview = await numbers(model, "preview", () => api.preview(id));
  if (id !== model.runId) return;
  // not awaited: while playing, the plots after it read the parts the frame carried, which a
  // wait for plotly let the next frame replace (each turn then asked for the grid and the
  // neurons on its own, twice a second)
  if (revealed(model.state.layers.length, model.page.phase).update) plots.preview.render(preview);
  else plots.preview.message(t("plot.preview_at_update"));
}

export async function drawSidePlots(model, plots, neuronsEl) {
  const st = model.state;
  const id = model.runId;
  await drawPreview(model, plots);
  if (id !== model.runId) return;
  // a regression's plane is its prediction, not a boundary between classes
  const caption = plots.boundary.el.closest("figure")?.querySelector("figcaption");
  if (caption) {
    const plane = model.data.x[0]?.length === 2 && model.data.input_shape.length !== 2;
    caption.dataset.i18n = plane && model.data.kind === "regression" ? "plot.regression" : "plot.boundary";
    caption.textContent = t(caption.dataset.i18n);
  }
  if (model.data.input_shape.length === 2) {
    model.nodeMaps = null; // no input plane to draw over
    drawWeightPictures(model, neuronsEl);
    plots.boundary.message(t("plot.boundary_images"));
    return;
  }
  if (model.data.x[0].length !== 2) {
    model.nodeMaps = null;
    plots.boundary.message(t("plot.boundary_2d"));
    // said, not left blank: the chain-rule lesson's one input has no plane to picture either
    const note = Object.assign(document.createElement("p"), { className: "muted", textContent: t("plot.boundary_2d") });
    neuronsEl.replaceChildren(note);
    delete neuronsEl.dataset.shape;
    return;
  }
  const grid = await numbers(model, "grid", () => api.grid(id, GRID));
  if (id !== model.runId) return;
  const out = grid.layers.at(-1);
  const { xs, ys, z, maps } = gridPictures(grid, out.shape[0] > 1 ? out.shape[0] - 1 : 0); // P(class 1) of a softmax pair
  plots.boundary.render({ xs, ys, z }, model.data, st.batch.index, model.data.kind);
  model.nodeMaps = { step: st.step, maps }; // every hidden and output neuron, drawn inside its node
  renderNeuronMaps(neuronsEl, maps.slice(0, -1), (g) => t("plot.neurons_of_layer", { l: g.layer + 1 }));
}
