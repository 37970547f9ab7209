// Which parameter a selection stands for in the "why" views, and its name in the API.

/** The parameter the views show for a selection (parseSelection's shape): an edge is its
 * weight, a hidden or output neuron its bias; nothing (or an input) the last layer's first weight. */
export function parameterFor(sel, nLayers) {
  if (sel?.kind === "e" && sel.l < nLayers) return { layer: sel.l, i: sel.i, j: sel.j };
  if (sel?.kind === "n" && sel.col >= 1 && sel.col <= nLayers) return { layer: sel.col - 1, i: sel.i, j: null };
  return { layer: nLayers - 1, i: 0, j: 0 };
}

/** The API's name of a parameter: W<l>:<i>:<j> or b<l>:<i>. */
export function coordinate(p) {
  return p.j === null ? `b${p.layer}:${p.i}` : `W${p.layer}:${p.i}:${p.j}`;
}
