// The verbs the toolbar and the keys share (static/js/actions.js, toolbar.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { epochSteps, phaseAfter, playOptions, STREAM_RATE } from "../../static/js/actions.js";
import { actionFor, SHORTCUTS } from "../../static/js/keys.js";
import { BIG_NET } from "../../static/js/store.js";
import { KEY_VERBS } from "../../static/js/toolbar.js";

const PHASES = ["forward:0", "forward:1", "loss", "backward:1", "backward:0", "update"];

test("→ walks the phases; after the update the run steps and the next step starts at its first", () => {
  assert.deepEqual(phaseAfter(PHASES, ""), { phase: "forward:0", step: false });
  assert.deepEqual(phaseAfter(PHASES, "forward:1"), { phase: "loss", step: false });
  assert.deepEqual(phaseAfter(PHASES, "backward:0"), { phase: "update", step: false });
  assert.deepEqual(phaseAfter(PHASES, "update"), { phase: "forward:0", step: true });
});

test("an epoch is the batches that cover every row once; batch size 0 is the whole set", () => {
  assert.equal(epochSteps(160, 10), 16);
  assert.equal(epochSteps(150, 32), 5); // the last batch is short
  assert.equal(epochSteps(4, 0), 1);
  assert.equal(epochSteps(4, 10), 1); // a batch larger than the set is the set
});

test("a small net plays whole States; a big one compact frames with only its view's matrix", () => {
  assert.deepEqual(playOptions(BIG_NET, 5, "gradients"), { rate: STREAM_RATE, stepsPerFrame: 5, params: {} });
  const big = playOptions(BIG_NET + 1, 1, "applied");
  assert.equal(big.params.format, "compact");
  const fields = big.params.fields.split(",");
  assert.ok(fields.includes("layers.dW_applied") && !fields.includes("layers.dW") && !fields.includes("layers.W"));
  assert.equal(big.params.whole_fields, "layers.W"); // for the weight pictures, twice a second
  assert.ok(playOptions(BIG_NET + 1, 1, "gradients").params.fields.split(",").includes("layers.dW"));
  const weights = playOptions(BIG_NET + 1, 1, "weights").params;
  assert.ok(weights.fields.split(",").includes("layers.W") && weights.whole_fields === undefined);
});

test("a big net plays the per-sample rows of the sample it shows, or their batch mean", () => {
  assert.equal(playOptions(BIG_NET + 1, 1, "gradients", "3").params.sample, "3");
  assert.equal(playOptions(BIG_NET + 1, 1, "gradients", "mean").params.sample, "mean");
  assert.equal(playOptions(BIG_NET + 1, 1, "gradients").params.sample, "mean");
  assert.deepEqual(playOptions(BIG_NET, 1, "gradients", "3").params, {}); // a small net's States are whole
});

test("every shortcut the keys name has a verb", () => {
  const names = SHORTCUTS.map(([, , action]) => action).filter(Boolean);
  for (const key of ["Escape", " ", "ArrowRight", "n", "e", "r", "g", "c", "?"]) {
    names.push(actionFor({ key, target: { tagName: "BODY", getAttribute: () => null, closest: () => null } }));
  }
  for (const action of names) assert.equal(typeof KEY_VERBS[action], "function", action);
});

test("the help names the keys the network answers to", async () => {
  const { moveSelection } = await import("../../static/js/netkeys.js");
  const arrows = { ArrowUp: "↑", ArrowDown: "↓", ArrowLeft: "←", ArrowRight: "→" };
  const network = SHORTCUTS.find(([, label]) => label === "keys.network")[0].split(" ");
  for (const [key, arrow] of Object.entries(arrows)) {
    assert.notEqual(moveSelection("n:1:1", key, [2, 3, 1]), "n:1:1", key); // it moves the selection
    assert.ok(network.includes(arrow), key);
  }
  assert.ok(network.includes("Enter"));
});
