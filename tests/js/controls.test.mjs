// A setting that changes nothing in a config is not shown (issue: the chain lesson, one
// example of your own, showed "Samples 200").
import assert from "node:assert/strict";
import { test } from "node:test";
import { applies } from "../../static/js/controls.js";

const base = { dataset: "moons", optimizer: "sgd", schedule: "constant", clip: null, weights: null };

test("your own data has no sample count or noise", () => {
  assert.equal(applies("n_samples", { ...base, dataset: "custom" }), false);
  assert.equal(applies("noise", { ...base, dataset: "custom" }), false);
  assert.equal(applies("n_samples", base), true);
  assert.equal(applies("test_ratio", { ...base, dataset: "custom" }), true); // still split
});

test("each optimizer shows only its own constants", () => {
  assert.deepEqual(["momentum", "beta1", "beta2", "eps"].filter((f) => applies(f, base)), []);
  assert.deepEqual(["momentum", "beta1", "beta2", "eps"].filter((f) => applies(f, { ...base, optimizer: "adam" })),
    ["beta1", "beta2", "eps"]);
  assert.deepEqual(["momentum", "beta1", "beta2", "eps"].filter((f) => applies(f, { ...base, optimizer: "nesterov" })),
    ["momentum"]);
});

test("decay needs a schedule, clip mode a clip, an initialiser no explicit weights", () => {
  assert.equal(applies("decay", base), false);
  assert.equal(applies("decay_steps", { ...base, schedule: "cosine" }), true);
  assert.equal(applies("clip_mode", { ...base, clip: 1 }), true);
  assert.equal(applies("init_scale", { ...base, weights: [{ W: [[1]], b: [0] }] }), false);
});
