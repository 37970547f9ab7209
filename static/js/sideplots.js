// The plots beside the network that need their own requests: the loss along the coming
// update, the decision boundary (or regression surface) over the input plane with the batch
// ringed, and what each hidden neuron computes (small multiples), or for images the
// first-layer weights as pictures.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { renderNeuronMaps } from "./plots.js";
import { wholeMatrix } from "./frames.js";

const GRID = 40; // points per side of the input plane

export async function drawSidePlots(model, plots, neuronsEl) {
  const st = model.state;
  const id = model.runId;
  const preview = await api.preview(id);
  if (id !== model.runId) return;
  plots.preview.render(preview);
  if (model.data.input_shape.length === 2) {
    model.nodeMaps = null; // no input plane to draw over
    const [h, w] = model.data.input_shape;
    renderNeuronMaps(neuronsEl, [{ layer: 0, w, h, values: wholeMatrix(st.layers[0].W) }], () => t("plot.weights_of_layer1"));
    plots.boundary.message(t("plot.boundary_images"));
    return;
  }
  if (model.data.x[0].length !== 2) {
    model.nodeMaps = null;
    plots.boundary.message(t("plot.boundary_2d"));
    neuronsEl.replaceChildren();
    return;
  }
  const N = GRID;
  const span = (values) => {
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const pad = 0.1 * (hi - lo || 1);
    return Array.from({ length: N }, (_, k) => lo - pad + ((hi - lo + 2 * pad) * k) / (N - 1));
  };
  const xs = span(model.data.x.map((p) => p[0]));
  const ys = span(model.data.x.map((p) => p[1]));
  const out = await api.predict(id, ys.flatMap((y) => xs.map((x) => [x, y])), true);
  if (id !== model.runId) return;
  const column = out.y[0].length > 1 ? out.y[0].length - 1 : 0; // P(class 1) for softmax over two classes
  const z = ys.map((_, r) => out.y.slice(r * N, (r + 1) * N).map((row) => row[column]));
  plots.boundary.render({ xs, ys, z }, model.data, st.batch.index, model.data.kind);
  const maps = out.layers.map((acts, l) => ({ // image rows run top (high y) to bottom
    layer: l, w: N, h: N,
    values: acts[0].map((_, n) => ys.map((_, r) => acts.slice((N - 1 - r) * N, (N - r) * N).map((row) => row[n])).flat()),
  }));
  model.nodeMaps = { step: st.step, maps }; // every hidden and output neuron, drawn inside its node
  renderNeuronMaps(neuronsEl, maps.slice(0, -1), (g) => t("plot.neurons_of_layer", { l: g.layer + 1 }));
}
