// The compare menu (compare.js suggestionsFor): the lessons a lesson's text asks to compare with,
// then the general suggestions that are true of network A.
import { test } from "node:test";
import assert from "node:assert/strict";
import { differences, suggestionsFor } from "../../static/js/compare.js";

const SPIRAL = { dataset: "spiral", hidden: [16, 16], activation: "tanh", batch_norm: false };
const PRESETS = [
  { name: "sgd", texts: { title: "lesson.sgd.title" }, compare: ["momentum", "adam"],
    config: { ...SPIRAL, optimizer: "sgd", learning_rate: 0.3, momentum: null } },
  { name: "momentum", texts: { title: "lesson.momentum.title" }, compare: [],
    config: { ...SPIRAL, optimizer: "momentum", learning_rate: 0.1, momentum: 0.9 } },
  { name: "adam", texts: { title: "lesson.adam.title" }, compare: [],
    config: { ...SPIRAL, optimizer: "adam", learning_rate: 0.01, momentum: null } },
];

test("network B takes the other lesson's settings where the two lessons differ", () => {
  assert.deepEqual(differences(PRESETS[0].config, PRESETS[1].config), { optimizer: "momentum", learning_rate: 0.1, momentum: 0.9 });
  assert.deepEqual(differences(PRESETS[0].config, { ...PRESETS[0].config, hidden: [16, 16] }), {}); // arrays by value
});

test("a lesson's own comparisons come first, then the general ones true of network A", () => {
  const items = suggestionsFor(PRESETS, { preset: "sgd" }, PRESETS[0].config);
  assert.deepEqual(items.slice(0, 2).map((s) => s.b.optimizer), ["momentum", "adam"]);
  assert.equal(items[0].label, "compare.with_lesson");
  assert.deepEqual(items.slice(2).map((s) => s.label), ["compare.sgd_adam", "compare.vs_relu", "compare.lr", "compare.batch_norm"]);
});

test("'SGD vs Adam' is not offered where network A is not SGD (it compared Adam with Adam)", () => {
  const labels = suggestionsFor(PRESETS, { preset: "adam" }, PRESETS[2].config).map((s) => s.label);
  assert.ok(!labels.includes("compare.sgd_adam"), labels);
  const relu = suggestionsFor(PRESETS, {}, { ...SPIRAL, optimizer: "adam", activation: "relu", batch_norm: true });
  assert.deepEqual(relu.map((s) => s.label), ["compare.lr"]); // Adam, ReLU and batch norm already: only η
});
