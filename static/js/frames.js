// Compact frames (app/frames.py): a State whose matrices travel as base64 binary —
// {dtype: "f32", shape, data}, or 8 bits where only a colour is drawn: {dtype: "i8", shape,
// scale, data} (v = q · scale / 127, a scale per row for a matrix) and {dtype: "u8", shape, lo, hi, data} (v = lo + q (hi − lo) / 255).
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

/** The numbers of one encoded array, flat. */
export function decodeValues(packed) {
  const raw = bytes(packed.data);
  if (packed.dtype === "f32") return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
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
  } else if (packed.dtype === "u8") {
    const span = packed.hi - packed.lo;
    for (let k = 0; k < raw.length; k++) out[k] = packed.lo + (raw[k] * span) / 255;
  } else {
    throw new Error(`unknown packed dtype ${packed.dtype}`);
  }
  return out;
}

/** A packed array as the State holds it: 1-D a Float32Array, 2-D rows of Float32Arrays. */
export function decodeArray(packed) {
  const values = decodeValues(packed);
  let out = values;
  if (packed.shape.length === 2) {
    const [rows, cols] = packed.shape;
    out = Array.from({ length: rows }, (_, r) => values.subarray(r * cols, (r + 1) * cols));
  }
  out.approx = packed.dtype !== "u8"; // the tooltip says ≈ and the exact number is a click away
  if (packed.top) out.top = packed.top; // each row's largest |v|, in exact order (app/frames.py)
  return out;
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
  if (!previous) return state;
  const layers = state.layers
    ? state.layers.map((layer, l) => ({ ...(previous.layers?.[l] ?? {}), ...layer }))
    : previous.layers;
  return { ...previous, ...state, batch: { ...(previous.batch ?? {}), ...(state.batch ?? {}) }, layers };
}
