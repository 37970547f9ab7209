// The page's phases are the server's list (GET /api/v1/meta `phases.by_layers`), not a copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { model, phases, revealed } from "../../static/js/store.js";
import { META } from "./meta.mjs";

model.meta = META;

test("phases are the server's: forward up, the loss, backward down, the update", () => {
  assert.deepEqual(phases(2), ["forward:0", "forward:1", "loss", "backward:1", "backward:0", "update"]);
  assert.equal(phases(9).length, 2 * 9 + 2); // the deepest net the limits allow
});

test("a phase reveals everything before it and nothing after", () => {
  const r = revealed(2, "backward:1");
  assert.equal(r.index, 3);
  assert.ok(r.forward(0) && r.forward(1) && r.loss && r.backward(1));
  assert.ok(!r.backward(0) && !r.update);
  const all = revealed(2, "");
  assert.ok(all.backward(0) && all.update);
});
