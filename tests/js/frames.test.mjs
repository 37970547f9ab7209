// Compact frames decode to the numbers app/frames.py packed (static/js/frames.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrame, decodeValues, gridPictures, halfFloat, wholeMatrix } from "../../static/js/frames.js";
import { layerScales } from "../../static/js/encode.js";

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

test("half floats: every kind of bit pattern", () => {
  assert.equal(halfFloat(0x3c00), 1);
  assert.equal(halfFloat(0xc000), -2);
  assert.equal(halfFloat(0x3555), 0.333251953125); // 1/3 to 11 bits
  assert.equal(halfFloat(0x0001), 2 ** -24); // the smallest subnormal
  assert.equal(halfFloat(0x8001), -(2 ** -24));
  assert.equal(halfFloat(0x7bff), 65504); // the largest
  assert.equal(halfFloat(0x7c00), Number.POSITIVE_INFINITY);
  assert.equal(halfFloat(0xfc00), Number.NEGATIVE_INFINITY);
  assert.ok(Number.isNaN(halfFloat(0x7e00)));
  assert.ok(Object.is(halfFloat(0x8000), -0));
});

test("f16 arrays are half floats times the array's scale", () => {
  const h = new Uint16Array([0x3c00, 0xb800, 0x0000, 0x0001]); // 1, -0.5, 0, 2^-24
  const out = decodeValues({ dtype: "f16", shape: [4], scale: 8, data: b64(h) });
  assert.deepEqual([...out], [8, -4, 0, 8 * 2 ** -24]);
});

// A played frame's wide matrix: each row's top (columns in order, float32 values) goes into the
// last whole matrix; the whole one stays for the views that draw it whole.
const topOf = (rows, cols, index, values) => ({
  dtype: "top", shape: [rows, cols], index: b64(new Uint16Array(index)), data: b64(new Float32Array(values)),
});

test("a row's top values go into the last whole matrix, which stays as it came", () => {
  const whole = { step: 1, layers: [{ W: { dtype: "f32", shape: [2, 3], data: b64(new Float32Array([1, 2, 3, 4, 5, 6])) } }] };
  const first = decodeFrame(whole);
  const second = decodeFrame({ step: 2, layers: [{ W: topOf(2, 3, [2, 0, 1, 2], [-9, 8, 7, -6]) }] }, first);
  const W = second.layers[0].W;
  assert.deepEqual(W.map((row) => [...row]), [[8, 2, -9], [4, 7, -6]]);
  assert.deepEqual(W.top.map((row) => [...row]), [[2, 0], [1, 2]]);
  assert.ok(W.approx);
  assert.deepEqual(wholeMatrix(W).map((row) => [...row]), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual([...first.layers[0].W[0]], [1, 2, 3]); // the State before is left alone
  const third = decodeFrame({ step: 3, layers: [{ W: topOf(2, 3, [0, 1, 0, 1], [1, 1, 1, 1]) }] }, second);
  assert.equal(wholeMatrix(third.layers[0].W), wholeMatrix(W)); // still the whole one that came
  assert.deepEqual([...third.layers[0].W[0]], [1, 1, 3]); // and not the second frame's tops
});

test("a top with nothing before it stands in zeros, and is its own whole", () => {
  const state = decodeFrame({ step: 1, layers: [{ W: topOf(1, 4, [3], [-2]) }] });
  assert.deepEqual([...state.layers[0].W[0]], [0, 0, 0, -2]);
  assert.equal(wholeMatrix(state.layers[0].W), state.layers[0].W);
});

test("a layer's scale is the largest of its rows' tops, not of older entries around them", () => {
  const first = decodeFrame({ step: 1, layers: [{ W: { dtype: "f32", shape: [1, 3], data: b64(new Float32Array([50, 1, 1])) } }] });
  const state = decodeFrame({ step: 2, layers: [{ W: topOf(1, 3, [1], [-3]) }] }, first);
  const scene = { state, probe: null, opts: { view: "weights", sample: "mean", scale: "layer" } };
  assert.deepEqual(layerScales(scene), [3]);
});

test("u8 levels with a bitmap: the raised ones from data in order, the rest the lowest", () => {
  const raised = new Uint8Array([0b10010000, 0b00000001]); // elements 0, 3 and 15 of 16
  const q = new Uint8Array([255, 51, 1]);
  const out = decodeValues({ dtype: "u8", shape: [2, 8], lo: 0, hi: 1, raised: b64(raised), data: b64(q) });
  const want = Array(16).fill(0);
  [want[0], want[3], want[15]] = [1, 51 / 255, 1 / 255];
  assert.deepEqual([...out].map((v) => Math.round(v * 255)), want.map((v) => Math.round(v * 255)));
});

test("u8 matrices with a lo and hi per row decode each row on its own range", () => {
  const q = new Uint8Array([0, 255, 51, 0, 255, 102]); // 2 rows of 3
  const out = decodeValues({ dtype: "u8", shape: [2, 3], lo: [-1, 10], hi: [1, 20], data: b64(q) });
  const want = [-1, 1, -1 + (51 * 2) / 255, 10, 20, 10 + (102 * 10) / 255];
  want.forEach((v, k) => assert.ok(Math.abs(out[k] - v) < 1e-5, `${k}: ${out[k]} vs ${v}`));
});

test("a grid's lattice becomes the boundary's rows and each neuron's image, top row highest y", () => {
  // 2×2 lattice, one hidden neuron and two outputs; value = 10·neuron + point (points: (x0,y0) (x1,y0) (x0,y1) (x1,y1))
  const layer = (neurons) => ({ dtype: "u8", shape: [neurons, 4], lo: Array.from({ length: neurons }, (_, n) => 10 * n),
                                hi: Array.from({ length: neurons }, (_, n) => 10 * n + 3), data: b64(new Uint8Array(
                                  Array.from({ length: neurons * 4 }, (_, k) => (k % 4) * 85))) });
  const grid = { xs: [0, 1], ys: [5, 6], layers: [layer(1), layer(2)] };
  const { z, maps } = gridPictures(grid, 1);
  const near = (a, b) => a.every((v, k) => Math.abs(v - b[k]) < 1e-5);
  assert.ok(near(z[0], [10, 11]) && near(z[1], [12, 13])); // z[r][c]: P(class 1) at (xs[c], ys[r])
  assert.equal(maps.length, 2);
  assert.ok(near(maps[0].values[0], [2, 3, 0, 1])); // the image's first row is the lattice's last (high y)
  assert.deepEqual([maps[1].w, maps[1].h, maps[1].values.length], [2, 2, 2]);
});

test("a packed number says how far it may be from the exact one, and no more digits than that", async () => {
  const { approxText, entryPrecision } = await import("../../static/js/encode.js");
  const parse = (text) => text.match(/^≈ (\S+) ± (\S+)$/).slice(1).map(Number);
  // a digit net's row of W0 as i8 levels of its largest |w| (app/frames.py): W0[2][205] read
  // "≈ -0.051725" for -0.050254
  const exact = [[-0.050254, 0.38, 0.1003, -0.0004]];
  const scale = [0.38];
  const q = Int8Array.from(exact[0], (v) => Math.round((127 * v) / scale[0]));
  const W = decodeFrame({ step: 1, layers: [{ W: { dtype: "i8", shape: [1, 4], scale, data: b64(q) } }] }).layers[0].W;
  for (let j = 0; j < 4; j++) {
    const text = approxText(W[0][j], entryPrecision(W, 0, j));
    const [value, bound] = parse(text);
    assert.ok(Math.abs(value - exact[0][j]) <= bound, `${text} for ${exact[0][j]}`);
    assert.ok(bound >= scale[0] / 254 && bound <= 10 * (scale[0] / 254), text); // half a level, one digit
    assert.ok((text.split(" ")[1].split(".")[1] ?? "").length <= 3, text); // 0.002: three decimals at most
  }
  assert.equal(approxText(W[0][0], entryPrecision(W, 0, 0)), "≈ -0.051 ± 0.002");
  // u8 levels with a range per row: half of (hi − lo)/255
  const levels = decodeFrame({ step: 1, layers: [{ a: { dtype: "u8", shape: [1, 2], lo: [-1], hi: [1], data: b64(new Uint8Array([0, 255])) } }] });
  assert.equal(entryPrecision(levels.layers[0].a, 0, 1).e, 2 / 510);
  // floats keep their digits; exact numbers have no ≈
  const f32 = decodeFrame({ step: 1, layers: [{ W: { dtype: "f32", shape: [1, 1], data: b64(new Float32Array([0.123456])) } }] }).layers[0].W;
  assert.equal(approxText(f32[0][0], entryPrecision(f32, 0, 0)), "≈ 0.12346");
  assert.equal(approxText(-0.050254, entryPrecision([[-0.050254]], 0, 0)), "-0.050254");
  // a wide matrix's float32 tops in older levels: the tops are as sent, the rest within a level
  const tops = decodeFrame({ step: 2, layers: [{ W: topOf(1, 4, [1], [0.381]) }] }, { step: 1, layers: [{ W }] }).layers[0].W;
  assert.equal(entryPrecision(tops, 0, 1).e, 0);
  assert.equal(entryPrecision(tops, 0, 0).e, scale[0] / 254);
});
