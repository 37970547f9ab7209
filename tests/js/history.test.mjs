// The page's history grows by what is new since its last step (GET /history?since=…).
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendHistory, withoutEvalAt } from "../../static/js/run.js";

test("rows are appended as new arrays; the old ones (held by the plots) are untouched", () => {
  const before = { step: [0, 1], loss: [0.5, 0.4], lr: [1, 1], grad_norms: [[1], [2]], eval_step: [0], test_loss: [0.6] };
  const rows = { step: [2], loss: [0.3], lr: [1], grad_norms: [[3]], eval_step: [3], test_loss: [0.35] };
  const after = appendHistory(before, rows);
  assert.deepEqual(after.step, [0, 1, 2]);
  assert.deepEqual(after.test_loss, [0.6, 0.35]);
  assert.deepEqual(before.step, [0, 1]);
  assert.notEqual(after.loss, before.loss);
});

test("an evaluation series only one side has stays aligned with eval_step", () => {
  const before = { step: [0], loss: [1], lr: [1], grad_norms: [[1]], eval_step: [0], train_loss: [1] };
  const rows = { step: [1], loss: [0.9], lr: [1], grad_norms: [[1]], eval_step: [1], test_loss: [0.8] };
  const after = appendHistory(before, rows);
  assert.deepEqual(after.train_loss, [1, null]);
  assert.deepEqual(after.test_loss, [null, 0.8]);
});

test("the evaluation made at the step shown can be left out, every series with it", () => {
  const history = { step: [0, 1], loss: [0.5, 0.4], lr: [1, 1], grad_norms: [[1], [2]], eval_step: [0, 2],
                    train_loss: [0.6, 0.3], train_accuracy: [0.5, 0.75] };
  const before = withoutEvalAt(history, 2);
  assert.deepEqual(before, { ...history, eval_step: [0], train_loss: [0.6], train_accuracy: [0.5] });
  assert.equal(withoutEvalAt(history, 1), history); // none made there: the same history
  assert.deepEqual(history.eval_step, [0, 2]); // untouched
});
