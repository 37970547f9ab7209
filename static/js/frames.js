// Compact frames (app/frames.py): a State whose matrices travel as base64 binary —
// {dtype: "f32", shape, data}, or 8 bits where only a colour is drawn: {dtype: "i8", shape,
// scale, data} (v = q · scale / 127, a scale per row for a matrix) and {dtype: "u8", shape, lo, hi, data} (v = lo + q (hi − lo) / 255;
// with `raised`, a bitmap of the q above 0, `data` holds only those; lo and hi may be one per row).
// A played frame also has {dtype: "f16", shape, scale, data} (v = scale · a half float) and, of
// a wide matrix, {dtype: "top", shape, index, data}: each row's largest |v| (uint16 columns, in
// order) and their float32 values, which go into the last whole matrix the frames brought.
// A State at rest asked for one sample (app/sampled.py) has, of each per-sample array, {dtype:
// "row", shape, row, data} or {dtype: "mean", shape, data}: see sampleRows.
// decodeFrame turns one back into a State whose matrices are rows of Float32Arrays, which the
// views read like nested arrays. Pure: runs under node --test (tests/js/frames.test.mjs).

function bytes(base64) {
  if (typeof atob !== "function") return new Uint8Array(Buffer.from(base64, "base64")); // node
  // a plain loop: Uint8Array.from(string, callback) was the page's costliest call while playing
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) out[k] = text.charCodeAt(k);
  return out;
}

/** An IEEE 754 half float from its 16 bits. */
export function halfFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and ±0)
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The numbers of one encoded array, flat. */
export function decodeValues(packed) {
  const raw = bytes(packed.data);
  if (packed.dtype === "f32" || packed.dtype === "top") return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  if (packed.dtype === "f16") {
    const h = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
    const out = new Float32Array(h.length);
    for (let k = 0; k < h.length; k++) out[k] = packed.scale * halfFloat(h[k]);
    return out;
  }
  const out = new Float32Array(raw.length);
  if (packed.dtype === "i8") { // scale: one number, or one per row
    const q = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    const cols = packed.shape.at(-1);
    const perRow = Array.isArray(packed.scale);
    for (let start = 0; start < q.length; start += cols) { // a row at a time: one scale each
      const step = (perRow ? packed.scale[start / cols] : packed.scale) / 127;
      const end = Math.min(start + cols, q.length);
      for (let k = start; k < end; k++) out[k] = q[k] * step;
    }
  } else if (packed.dtype === "u8" && Array.isArray(packed.lo)) { // a lo and hi per row (app/frames.py levels)
    const cols = packed.shape.at(-1);
    for (let start = 0, r = 0; start < raw.length; start += cols, r++) {
      const lo = packed.lo[r];
      const span = packed.hi[r] - lo;
      for (let k = start; k < start + cols; k++) out[k] = lo + (raw[k] * span) / 255;
    }
  } else if (packed.dtype === "u8") {
    const span = packed.hi - packed.lo;
    if (packed.raised) return raisedLevels(packed, raw, span);
    for (let k = 0; k < raw.length; k++) out[k] = packed.lo + (raw[k] * span) / 255;
  } else {
    throw new Error(`unknown packed dtype ${packed.dtype}`);
  }
  return out;
}

/** u8 levels sent as a bitmap of the ones above the lowest (`raised`) and their bytes. */
function raisedLevels(packed, raw, span) {
  const bits = bytes(packed.raised);
  const out = new Float32Array(packed.shape.reduce((a, b) => a * b, 1)).fill(packed.lo);
  let next = 0;
  for (let k = 0; k < out.length; k++) {
    if ((bits[k >> 3] >> (7 - (k & 7))) & 1) out[k] = packed.lo + (raw[next++] * span) / 255;
  }
  return out;
}

/** A packed array as the State holds it: 1-D a Float32Array, 2-D rows of Float32Arrays. A
 * "top" array is only each row's largest: {partial: true, shape, top, values} until
 * decodeFrame puts it into the matrix before it (fillTop). */
export function decodeArray(packed) {
  if (packed.dtype === "row" || packed.dtype === "mean") return sampleRows(packed);
  const values = decodeValues(packed);
  if (packed.dtype === "top") {
    const raw = bytes(packed.index);
    const index = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
    const [rows] = packed.shape;
    const k = index.length / rows;
    const top = Array.from({ length: rows }, (_, r) => index.subarray(r * k, (r + 1) * k));
    return { partial: true, shape: packed.shape, top, values };
  }
  let out = values;
  if (packed.shape.length === 2) {
    const [rows, cols] = packed.shape;
    out = Array.from({ length: rows }, (_, r) => values.subarray(r * cols, (r + 1) * cols));
  }
  out.approx = packed.dtype !== "u8" || Array.isArray(packed.lo); // the tooltip says ≈ and the exact number is a click away
  out.halfStep = halfSteps(packed);
  if (packed.dtype === "f16") out.digits = 3; // a half float holds ~3 significant digits
  if (packed.top) out.top = packed.top; // each row's largest |v|, in exact order (app/frames.py)
  return out;
}

/** Per row, the most a number of an 8-bit packing may be off: half a level (i8: scale/127 a
 * level, u8: (hi − lo)/255); null for floats, whose error is relative. */
function halfSteps(packed) {
  const rows = packed.shape.length === 2 ? packed.shape[0] : 1;
  const perRow = (v) => (Array.isArray(v) ? v : new Array(rows).fill(v));
  if (packed.dtype === "i8") return perRow(packed.scale).map((scale) => scale / 254);
  if (packed.dtype === "u8") {
    const lo = perRow(packed.lo);
    return perRow(packed.hi).map((hi, r) => (hi - lo[r]) / 510);
  }
  return null;
}

/** How far entry (i, j) of a decoded array (j: null for a vector) may be from the exact number:
 * half a level of its row's 8-bit packing, 0 where it came as a float (a wide matrix's top
 * entries, fillTop, are float32 in a matrix of older levels). */
export function halfStepAt(rows, i, j = null) {
  if (j !== null && rows.whole !== undefined && rows.top?.[i]?.includes(j)) return 0;
  const steps = (rows.whole ?? rows).halfStep; // a top's other entries are its whole matrix's
  return steps ? steps[j === null ? 0 : i] ?? 0 : 0;
}

/** One batch sample's row of a per-sample array, or the batch mean (app/sampled.py): an array of
 * B rows with only row `only` in it, or none and `mean`. The row's numbers are exact (an image's
 * pixels come packed, as any array). */
function sampleRows(packed) {
  const data = isPacked(packed.data) ? decodeArray(packed.data) : packed.data;
  const rows = new Array(packed.shape[0]);
  if (packed.dtype === "mean") rows.mean = data;
  else {
    rows[packed.row] = data;
    rows.only = packed.row;
  }
  return rows;
}

const isPacked = (v) => v !== null && typeof v === "object" && typeof v.dtype === "string" && "data" in v;

function decodeTree(value) {
  if (isPacked(value)) return decodeArray(value);
  if (Array.isArray(value)) return value.map(decodeTree);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeTree(v)]));
  }
  return value;
}

/** A State sent as exact JSON (no packing), its per-sample arrays maybe one sample's rows
 * (app/sampled.py): those rows as sampleRows has them, every other number as it came. */
export const decodeExact = (answer) => decodeTree(answer);

/** The matrix a "top" array belongs to: the last whole matrix (`before`, or the one `before`
 * was filled into) with each row's top values put in. It keeps `whole`, that last whole matrix
 * as it came, for the views that draw a matrix whole (wholeMatrix), and `top`, the ranking. */
export function fillTop(partial, before) {
  const [rows, cols] = partial.shape;
  let whole = before?.whole ?? before ?? null;
  if (whole && (whole.length !== rows || whole[0]?.length !== cols)) whole = null; // another shape: nothing to keep
  const flat = new Float32Array(rows * cols);
  if (whole) for (let r = 0; r < rows; r++) flat.set(whole[r], r * cols);
  const k = partial.top[0]?.length ?? 0;
  partial.top.forEach((columns, r) => columns.forEach((j, n) => { flat[r * cols + j] = partial.values[r * k + n]; }));
  const out = Array.from({ length: rows }, (_, r) => flat.subarray(r * cols, (r + 1) * cols));
  out.approx = true;
  out.top = partial.top;
  out.whole = whole ?? out;
  return out;
}

/** A matrix as the views that draw it whole should (the first layer's weight pictures): while
 * playing, the last one a frame brought whole, not one with newer top values put in. */
export const wholeMatrix = (matrix) => matrix?.whole ?? matrix;

/** A State from a compact frame. Fields the frame lacks come from `previous` (the State before);
 * a batch sent as row numbers takes its inputs from `rows` (a Map row → inputs, that the frames
 * with batch.rows / batch.rows_x fill: each training row's inputs arrive once). */
export function decodeFrame(frame, previous = null, rows = null) {
  const state = decodeTree(frame);
  const batch = state.batch;
  if (batch?.rows && rows) { // row numbers, with the inputs of rows not sent before (app/frames.py)
    Array.from(batch.rows).forEach((row, k) => rows.set(row, batch.rows_x[k]));
    batch.x = Array.from(batch.index, (row) => rows.get(row));
    delete batch.rows;
    delete batch.rows_x;
  }
  state.approx = true; // some numbers are packed for drawing: panels that print numbers ask for exact ones
  state.layers?.forEach((layer, l) => {
    for (const [key, value] of Object.entries(layer)) {
      if (value?.partial) layer[key] = fillTop(value, previous?.layers?.[l]?.[key]);
    }
  });
  if (!previous) return state;
  const layers = state.layers
    ? state.layers.map((layer, l) => ({ ...(previous.layers?.[l] ?? {}), ...layer }))
    : previous.layers;
  return { ...previous, ...state, batch: { ...(previous.batch ?? {}), ...(state.batch ?? {}) }, layers };
}

/** A Step's grid (app/extras.py: each neuron over the lattice, row r at ys[r], as colour levels)
 * in the form the plots draw: the output column `column` as rows z[r][c], and per layer each
 * neuron's values as an image whose rows run top (high y) to bottom. */
export function gridPictures(grid, column) {
  const N = grid.xs.length;
  const layers = grid.layers.map((packed) => decodeArray(packed)); // per neuron: N·N values
  const out = layers.at(-1)[column];
  const z = Array.from({ length: N }, (_, r) => Array.from(out.subarray(r * N, (r + 1) * N)));
  const maps = layers.map((neurons, l) => ({
    layer: l, w: N, h: N,
    values: neurons.map((v) => Array.from({ length: N }, (_, r) => Array.from(v.subarray((N - 1 - r) * N, (N - r) * N))).flat()),
  }));
  return { xs: grid.xs, ys: grid.ys, z, maps };
}
