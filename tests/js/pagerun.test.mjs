// The page's run, made from its settings (static/js/pagerun.js), against a stand-in API.
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { api } from "../../static/js/api.js";
import { changeFields, fitsUrl, planar, restFields, sparseConfig, withFields } from "../../static/js/pagerun.js";
import { BIG_NET, model, on } from "../../static/js/store.js";

test("a value travels in the URL while it is short; long JSON is stored, a stored @ref stays", () => {
  assert.ok(fitsUrl(undefined));
  assert.ok(fitsUrl({ x: [[0, 1]], y: [[1]] }));
  assert.ok(!fitsUrl({ x: Array(500).fill([0.123, 0.456]), y: Array(500).fill([1]) }));
  assert.ok(fitsUrl("@abcdef"));
});

test("a big net's Step answer asks for every field but the penalty's share of the gradient", () => {
  assert.equal(restFields({ top: ["step", "loss"], layer: ["W", "dW", "dW_penalty"] }), "step,loss,layers.W,layers.dW");
  const fields = { top: ["step", "layers"], layer: ["W", "dW", "dW_applied"] }; // "layers" would bring every layer field
  assert.equal(restFields(fields, "gradients"), "step,layers.W,layers.dW");
  assert.equal(restFields(fields, "applied"), "step,layers.W,layers.dW,layers.dW_applied");
});

test("rows are drawn in the plane for 2-D inputs only", () => {
  assert.ok(planar({ dataset: "moons" }));
  assert.ok(!planar({ dataset: "digits" }));
  assert.ok(planar({ dataset: "custom", data: { x: [[0, 1]] } }));
  assert.ok(!planar({ dataset: "custom", data: { x: [[0, 1, 2]] } }));
});

test("another built-in data set drops the custom rows; custom rows replace them", () => {
  const custom = { dataset: "custom", data: { x: [[0, 0]] }, learning_rate: 2 };
  assert.deepEqual(withFields(custom, { dataset: "xor" }), { dataset: "xor", learning_rate: 2 });
  assert.deepEqual(withFields(custom, { learning_rate: 1 }), { ...custom, learning_rate: 1 });
  assert.deepEqual(custom.learning_rate, 2); // a new object
});

test("an imported config keeps only what differs from the defaults (what a link carries)", () => {
  assert.deepEqual(sparseConfig({ hidden: [3], learning_rate: 2, dataset: "xor" }, { hidden: [3], learning_rate: 0.1, dataset: "xor" }),
                   { learning_rate: 2 });
});

/** model.run as pagerun uses it, recording what was asked of it. */
function fakeRun() {
  return { calls: [], restParams: null, pauseNow() { this.calls.push("pause"); }, adopt(c) { this.calls.push(`adopt ${c.id}`); },
           load() { this.calls.push("load"); }, jump(step) { this.calls.push(`jump ${step}`); } };
}

test("a change runs anew from step 0; a refused one puts back the settings that run and says so", async (t) => {
  globalThis.document = { getElementById: () => ({ append() {}, textContent: "", hidden: true, classList: { add() {}, remove() {} } }) }; // the notice line
  t.after(() => { delete globalThis.document; });
  mock.timers.enable({ apis: ["setTimeout"] });
  t.after(() => mock.timers.reset());
  const created = [];
  t.mock.method(api, "create", async (config) => {
    if (config.learning_rate < 0) throw new Error("learning_rate: at least 0");
    created.push(config);
    return { id: `r${created.length}`, config: { ...config, dataset: "xor" }, n_params: config.hidden ? BIG_NET + 1 : 9 };
  });
  t.mock.method(api, "data", async () => ({ input_shape: [2], x: [[0, 0]], y: [[0]], total: 4 }));
  const events = [];
  on("run", () => events.push("run"));
  on("config", (fields) => events.push(`config ${Object.keys(fields)}`));
  Object.assign(model, { meta: { state_fields: { top: ["step"], layer: ["W"] } }, config: { preset: "xor" },
                         page: { step: 7, phase: "loss", sel: "n1:0", sample: "2" }, run: fakeRun(), compare: null });

  await changeFields({ learning_rate: 3 });
  assert.deepEqual(created.at(-1), { preset: "xor", learning_rate: 3 });
  assert.deepEqual(model.page, { step: 0, phase: "", sel: "", sample: "mean" });
  assert.deepEqual(model.run.calls, ["pause", "adopt r1", "load"]);
  assert.deepEqual(model.run.restParams, {}); // a small net's States come whole
  assert.equal(model.runId, "r1");
  assert.deepEqual(events, ["run"]);

  await changeFields({ learning_rate: -1 });
  assert.deepEqual(model.config, { preset: "xor", learning_rate: 3 }); // what runs: once, the 3 was lost too
  assert.equal(model.runId, "r1");
  assert.deepEqual(events, ["run", "config learning_rate"]);

  await changeFields({ hidden: [300] });
  const rest = model.run.restParams(); // a big net: compact frames, the fields the panels read in the view shown
  assert.equal(rest.format, "compact");
  assert.equal(rest.fields, "step,layers.W");
});
