// The network panel as a view of the page model: the canvas (network.js) drawn from every State
// and page change with its legend, what it lights (a quiz answer or a tour card, or an inspector
// term under the pointer), selection by click or keyboard (back through setPage), and the live
// region that says what the keyboard selected.
import { busy } from "./busy.js";
import { parseSelection } from "./hittest.js";
import { renderLegend } from "./legend.js";
import { bindNetworkKeys, nameSelection } from "./netkeys.js";
import { NetworkView } from "./network.js";
import { model, on, revealed } from "./store.js";
import { expose } from "./testhook.js";

const $ = (id) => document.getElementById(id);

export function mountNetwork(setPage) {
  const network = new NetworkView($("network"), $("tooltip"));
  expose({ network });
  const select = (sel) => setPage({ sel });
  network.addEventListener("select", (e) => select(e.detail));
  // What the network lights: an inspector term while the pointer is on it ("hover-highlight"),
  // else what the quiz's answer or the tour's card is about ("highlight"), which comes back
  // when the pointer leaves the term.
  const lit = { lasting: null, hovered: null };
  const light = () => network.setOptions({ highlight: lit.hovered ?? lit.lasting });
  on("highlight", (hl) => { lit.lasting = hl; light(); });
  on("hover-highlight", (hl) => { lit.hovered = hl; light(); });
  /** The live region under the canvas says what the keyboard selected and its numbers. */
  const say = () => {
    const sel = parseSelection(model.page.sel);
    if (!sel || !model.state) return;
    $("net-said").textContent = `${nameSelection(sel)}. ${network.describe(sel).replace(/:\n/g, ": ").replace(/\n/g, "; ")}`;
  };
  bindNetworkKeys($("network"), {
    sel: () => parseSelection(model.page.sel),
    sizes: () => (model.state ? [model.state.layers[0].W[0].length, ...model.state.layers.map((l) => l.W.length)] : null),
    image: () => model.data?.input_shape.length === 2,
    select: (sel) => { select(sel); say(); },
    openInspector: () => $("inspector").focus(),
    announce: (text) => { $("net-said").textContent = text; },
  });
  $("inspector").addEventListener("keydown", (e) => { // back to where the selection is
    if (e.key === "Escape" && model.page.sel) { e.preventDefault(); e.stopPropagation(); $("network").focus(); }
  });
  const draw = () => {
    const page = model.page;
    if (!model.state) return;
    if (!rowsShown()) return; // the State with the sample's rows is on its way
    network.setState(model.state, model.data?.input_shape);
    network.setOptions({ view: page.view, scale: page.scale, sample: page.sample, phase: page.phase, sel: page.sel });
    legend();
  };
  const legend = () => {
    const page = model.page;
    const st = model.state;
    if (!st || !network.state) return;
    const show = revealed(st.layers.length, page.phase); // a gradient's scale exists from its B phase on
    renderLegend($("legend"), page.view, network.scales(), page.scale,
                 st.layers.map((_, l) => page.view === "weights" || (page.view === "gradients" ? show.backward(l) : show.update)),
                 model.compare?.scales() ?? null); // compare mode: B's pane has scales of its own
  };
  on("state", draw);
  on("compare-state", legend);
  on("page", (changes) => { // a big net's State at rest carries the update applied only for the Update view
    if (changes.view === "applied" && model.state && !model.playing && !model.run.has("layers.dW_applied")) {
      busy(() => model.run.refresh());
    }
  });
  // A big net's State at rest carries one sample's rows (app/sampled.py): another sample asks
  // for the State again, once; the canvas keeps the picture it has until then.
  const rowsShown = () => {
    const wanted = model.page.sample;
    if (model.playing || model.run.hasSample(wanted)) return true;
    model.run.refreshFor(`sample ${wanted}`, busy);
    return false;
  };
  on("page", draw);
  return network;
}
