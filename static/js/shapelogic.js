// The network's shape by hand, as in TensorFlow Playground: + and − add and remove hidden
// layers and neurons. Pure: the new list of hidden sizes, or null where a limit forbids it.

/** The hidden-layer limits from GET /api/v1/meta (the `hidden` field: min, max, max_items). */
export function hiddenLimits(meta) {
  const field = meta.fields.find((f) => f.name === "hidden"); // engine/config.py FIELDS: no copy here
  return { minWidth: field.min, maxWidth: field.max, maxLayers: field.max_items };
}

/** action: "add-layer" | "remove-layer" | "add-neuron" | "remove-neuron" (the latter two with
 * `layer`, 0-based). A new layer is as wide as the last hidden one (2 when there is none). */
export function reshape(hidden, action, layer, limits) {
  const next = [...hidden];
  if (action === "add-layer") {
    if (next.length >= limits.maxLayers) return null;
    next.push(next.at(-1) ?? 2);
  } else if (action === "remove-layer") {
    if (!next.length) return null;
    next.pop();
  } else if (action === "add-neuron") {
    if (next[layer] === undefined || next[layer] >= limits.maxWidth) return null;
    next[layer] += 1;
  } else if (action === "remove-neuron") {
    if (next[layer] === undefined || next[layer] <= limits.minWidth) return null;
    next[layer] -= 1;
  } else {
    return null;
  }
  return next;
}
