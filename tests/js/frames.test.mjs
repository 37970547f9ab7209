// Compact frames decode to the numbers app/frames.py packed (static/js/frames.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeValues } from "../../static/js/frames.js";

const b64 = (typed) => Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).toString("base64");

test("f32 arrays come back as the float32 numbers sent", () => {
  const sent = new Float32Array([0.5, -2.25, 1e-7, Number.NaN, Number.POSITIVE_INFINITY]);
  assert.deepEqual([...decodeValues({ dtype: "f32", shape: [5], data: b64(sent) })], [...sent]);
});

test("i8 matrices scale each row by its own largest value", () => {
  const q = new Int8Array([127, -127, 0, 64, -32, 127]); // 2 rows of 3
  const out = decodeValues({ dtype: "i8", shape: [2, 3], scale: [2, 0.5], data: b64(q) });
  const want = [2, -2, 0, (64 * 0.5) / 127, (-32 * 0.5) / 127, 0.5];
  want.forEach((v, k) => assert.ok(Math.abs(out[k] - v) < 1e-6, `${k}: ${out[k]} vs ${v}`));
  const one = decodeValues({ dtype: "i8", shape: [6], scale: 4, data: b64(q) }); // one scale for all
  assert.ok(Math.abs(one[3] - (64 * 4) / 127) < 1e-6);
});

test("u8 arrays span lo to hi in 255 levels, every byte value intact", () => {
  const q = Uint8Array.from({ length: 256 }, (_, k) => k);
  const out = decodeValues({ dtype: "u8", shape: [256], lo: -1, hi: 1, data: b64(q) });
  assert.equal(out.length, 256);
  assert.ok(Math.abs(out[0] + 1) < 1e-6 && Math.abs(out[255] - 1) < 1e-6 && Math.abs(out[128] - (-1 + 256 / 255)) < 1e-6);
});
