// The node pictures and the dead/saturated flags (nodepictures.js) as a view of the page model:
// pictures on the side plots' turn (their grid of predictions is model.nodeMaps), flags when
// neuron health arrives, both gone with a new run; the pictures button toggles pics= in the URL.
import { nodeFlags } from "./health.js";
import { NodeMarks, picturesOn } from "./nodepictures.js";
import { model, on } from "./store.js";

export function mountNodeMarks(overlay, button, network, setPage) {
  const marks = new NodeMarks(overlay, network, () => network.colors());
  /** What each neuron computes, inside its node (2-D data; on by default for small nets). */
  const shown = () => {
    const st = model.state;
    return Boolean(st) && picturesOn(model.page.pics, st.layers[0].W[0].length, st.layers.slice(0, -1).map((l) => l.W.length));
  };
  const showPictures = () => {
    const st = model.state;
    button.hidden = !(Boolean(st) && st.layers[0].W[0].length === 2);
    button.setAttribute("aria-pressed", String(shown()));
    marks.set({ pictures: shown() ? model.nodeMaps : null });
  };
  button.addEventListener("click", () => { setPage({ pics: shown() ? "0" : "1" }); showPictures(); });
  on("run", () => marks.set({ pictures: null, flags: new Map() }));
  on("health", (health) => marks.set({ flags: health ? nodeFlags(health) : new Map() }));
  on("sideplots", showPictures);
}
