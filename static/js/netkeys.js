// The network by keyboard: the canvas takes the focus, arrow keys move the selection over
// neurons and weights, Enter opens the selection in the inspector, Escape clears the
// selection (and a second Escape leaves the canvas); a live region says what is selected.
//
// Moves (a weight l,i,j joins neuron j of column l to neuron i of column l+1):
//   on a neuron:  ↑ ↓ the neuron above / below; → its weight straight ahead; ← the one behind
//   on a weight:  ↑ ↓ the weight from the neuron above / below into the same neuron;
//                 → the neuron it feeds; ← the neuron it comes from
import { t } from "./i18n.js";

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/** The selection after `key`, as a page `sel` string ("n:col:i", "e:l:i:j"); `sizes` are the
 * neurons per column, input to output; `image`: the input is a picture (start one column in). */
export function moveSelection(sel, key, sizes, image = false) {
  const last = sizes.length - 1;
  const first = image ? 1 : 0;
  if (!sel) return `n:${first}:0`;
  if (sel.kind === "n") {
    const { col, i } = sel;
    if (key === "ArrowUp") return `n:${col}:${clamp(i - 1, 0, sizes[col] - 1)}`;
    if (key === "ArrowDown") return `n:${col}:${clamp(i + 1, 0, sizes[col] - 1)}`;
    if (key === "ArrowRight") return col < last ? `e:${col}:${Math.min(i, sizes[col + 1] - 1)}:${i}` : `n:${col}:${i}`;
    if (key === "ArrowLeft") return col > 0 ? `e:${col - 1}:${i}:${Math.min(i, sizes[col - 1] - 1)}` : `n:${col}:${i}`;
  } else {
    const { l, i, j } = sel;
    if (key === "ArrowUp") return `e:${l}:${i}:${clamp(j - 1, 0, sizes[l] - 1)}`;
    if (key === "ArrowDown") return `e:${l}:${i}:${clamp(j + 1, 0, sizes[l] - 1)}`;
    if (key === "ArrowRight") return `n:${l + 1}:${i}`;
    if (key === "ArrowLeft") return `n:${Math.max(l, first)}:${l < first ? i : j}`;
  }
  return null;
}

/** A selection in words, for the live region, numbered as the inspector numbers them (from 0;
 * column 0 is the input, column c is layer c). */
export function nameSelection(sel) {
  const column = (col) => (col === 0 ? t("netkeys.input") : t("netkeys.layer", { n: col }));
  if (sel.kind === "n") return t("netkeys.neuron", { i: sel.i, column: column(sel.col) });
  return t("netkeys.weight", { j: sel.j, from: column(sel.l), i: sel.i, to: column(sel.l + 1) });
}

export function bindNetworkKeys(canvas, hooks) {
  // hooks: sel() -> parsed selection | null, sizes() -> neurons per column | null, image(),
  //        select(selString), openInspector(), describe(sel) -> numbers, announce(text)
  canvas.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const sizes = hooks.sizes();
    if (!sizes) return;
    if (event.key === "Enter") {
      if (!hooks.sel()) return;
      event.preventDefault();
      hooks.openInspector();
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      if (hooks.sel()) { hooks.select(""); hooks.announce(t("netkeys.cleared")); } else canvas.blur();
      return;
    }
    if (!event.key.startsWith("Arrow")) return;
    event.preventDefault(); // the arrows are the canvas's here, not the page's → (next phase)
    const next = moveSelection(hooks.sel(), event.key, sizes, hooks.image());
    if (next === null) return;
    hooks.select(next);
  });
}
