// A text alternative to the canvas: the selected (or first) layer's weights and gradients,
// redrawn when the page is at rest (not on every streamed frame).
import { t } from "./i18n.js";
import { fmt, model, on, revealed } from "./store.js";
import { parseSelection } from "./hittest.js";

/** "≈ " before numbers packed for drawing (frames.js); the inspector has the exact ones. */
const about = (rows) => (rows.approx ? "≈ " : "");

export function mountWeightsTable(el) {
  const draw = () => {
    const st = model.state;
    if (!st || model.playing) return;
    const sel = parseSelection(model.page.sel);
    const l = sel?.kind === "e" && sel.l < st.layers.length ? sel.l : 0;
    const layer = st.layers[l];
    if (!layer.dW || layer.W.length * layer.W[0].length > 400) { el.replaceChildren(); return; }
    const known = revealed(st.layers.length, model.page.phase).backward(l); // ∂L/∂w exists from its B phase on
    const rows = Array.from(layer.W, (row, i) => Array.from(row, (w, j) =>
      `<tr><td>W${l}[${i}][${j}]</td><td>${about(layer.W)}${fmt.num(w)}</td><td>${known ? about(layer.dW) + fmt.num(layer.dW[i][j]) : t("inspector.not_yet")}</td></tr>`)).flat();
    el.innerHTML = `<caption>${t("table.caption", { l })}</caption><tr><th>${t("table.weight")}</th><th>w</th><th>∂L/∂w</th></tr>${rows.join("")}`;
  };
  on("state", draw);
  on("page", draw);
  on("playing", draw);
}
