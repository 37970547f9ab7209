import { test } from "node:test";
import assert from "node:assert/strict";
import { explanationKey, healthHtml, neuronHealth, nodeFlags } from "../../static/js/health.js";

const health = {
  rows: 200, of_rows: 200,
  layers: [
    { activation: "relu", inactive: [1, 0.5, 0], flat: [1, 0.5, 0], dead: [true, false, false], saturated: [false, false, false] },
    { activation: "sigmoid", inactive: [0, 0], flat: [0.9, 0.1], dead: [false, false], saturated: [true, false] },
  ],
};

test("flags name hidden columns from 1", () => {
  const flags = nodeFlags(health);
  assert.deepEqual([...flags.entries()], [["1:0", "dead"], ["2:0", "saturated"]]);
  assert.equal(nodeFlags(null).size, 0);
});

test("a neuron's facts and its explanation", () => {
  assert.equal(neuronHealth(health, 0, 0), null); // inputs have none
  assert.equal(neuronHealth(health, 3, 0), null); // nor the output layer
  const dead = neuronHealth(health, 1, 0);
  assert.equal(dead.state, "dead");
  assert.equal(dead.inactive, 1);
  assert.equal(explanationKey(dead), "why.health_dead");
  assert.equal(explanationKey(neuronHealth(health, 2, 0)), "why.health_saturated");
  assert.equal(explanationKey(neuronHealth(health, 2, 1)), "why.health_alive");
  const leaky = { activation: "leaky_relu", state: "alive", inactive: 1 };
  assert.equal(explanationKey(leaky), "why.health_leaky");
});

test("the inspector section states the fractions and the explanation", () => {
  const t = (key, vars = {}) => `${key}${Object.values(vars).join(",")}`;
  const html = healthHtml(neuronHealth(health, 1, 0), t);
  assert.match(html, /why\.health_inactivez<\/dt><dd>100%/); // (the fake t appends the activation's input, z)
  assert.match(html, /why\.flag_dead/);
  assert.match(html, /why\.health_dead/);
  assert.match(html, /why\.health_rows200,200/);
  const sig = healthHtml(neuronHealth(health, 2, 1), t);
  assert.doesNotMatch(sig, /health_inactive/); // sigmoid: no rows "below 0" to speak of
  assert.match(sig, /why\.health_flatz<\/dt><dd>10%/);
});

test("under batch norm the words name u, the activation's input, as the server's check does", () => {
  // The batch-norm lesson asks to click a hidden neuron: its lines said "rows with f′(z) < 0.01"
  // beside a fraction the server counts over f′(u), u = γ·ẑ + β (engine/health.py).
  const t = (key, vars = {}) => `${key}[${Object.values(vars).join(",")}]`;
  const bn = healthHtml(neuronHealth(health, 1, 0, true), t);
  assert.match(bn, /why\.health_inactive\[u\]/);
  assert.match(bn, /why\.health_flat\[u\]/);
  assert.match(bn, /why\.health_dead\[u\]/);
  const plain = healthHtml(neuronHealth(health, 2, 0), t);
  assert.match(plain, /why\.health_flat\[z\]/);
  assert.match(plain, /why\.health_saturated\[z\]/);
});

test("the flag names the state once: the sentence after it does not say it again", async () => {
  // A dead neuron read "dead Dead: u ≤ 0 for every training row…" (繁體 "死亡 死亡：…").
  const { readFileSync } = await import("node:fs");
  for (const lang of ["en", "zh-Hans", "zh-Hant"]) {
    const catalogue = JSON.parse(readFileSync(new URL(`../../static/i18n/${lang}.json`, import.meta.url), "utf8"));
    const t = (key, vars = {}) => catalogue[key].replace(/\{(\w+)\}/g, (_, name) => vars[name]);
    for (const [col, state] of [[1, "dead"], [2, "saturated"]]) {
      const text = healthHtml(neuronHealth(health, col, 0), t).replace(/<[^>]+>/g, " ").toLowerCase();
      const word = t(`why.flag_${state}`).toLowerCase();
      assert.equal(text.split(word).length - 1, 1, `${lang} ${state}: ${text}`);
    }
  }
});
