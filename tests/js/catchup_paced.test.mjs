// On a slow machine the plots catch up less often: a turn waits until their redraws since the
// last one are at most PLOT_SHARE of the time between (static/js/catchup.js). Its own file: the
// bus is shared, and the other catch-up tests mount catch-ups of their own on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PLOT_SHARE, mountCatchUp } from "../../static/js/catchup.js";
import { emit, model, on } from "../../static/js/store.js";

test("a turn waits while the plots' last redraws took more than their share of the time", () => {
  let clock = 0;
  let drawn = 0;
  mountCatchUp({ drawnMs: () => drawn, now: () => clock });
  const turns = [];
  on("catchup", (states) => turns.push(states.map((s) => s.step)));
  model.run = { extras: null };
  const carried = (step) => { // a frame with the side plots' numbers, every 500 ms of the stream
    clock += 500;
    model.run.extras = { step };
    emit("state", { state: { step }, streamed: true });
  };
  try {
    emit("playing", true);
    carried(1);
    assert.deepEqual(turns, [[1]], "the first turn comes at once");
    drawn += 0.2 * 500 * PLOT_SHARE; // a fast machine: its redraws took a fifth of their share
    carried(2);
    assert.deepEqual(turns, [[1], [2]]);
    drawn += 1.5 * 500 * PLOT_SHARE; // a slow one: half again their share of 500 ms
    carried(3);
    assert.deepEqual(turns, [[1], [2]], "the plots skip this frame's numbers");
    emit("state", { state: { step: 4 }, streamed: true }); // a frame without them
    carried(5); // 1000 ms since the last turn: 1.5 × the share of 500 ms is less than the share of 1000
    assert.deepEqual(turns, [[1], [2], [3, 4, 5]], "no frame lost: the turn brings all since");
    carried(6); // nothing drawn since: at once
    assert.deepEqual(turns, [[1], [2], [3, 4, 5], [6]]);
    emit("playing", false);
    drawn += 10 * 500 * PLOT_SHARE; // drawn while paused (the pause's own redraws)...
    emit("playing", true); // ...do not hold back the next play's first turn
    carried(7);
    assert.deepEqual(turns.at(-1), [7]);
  } finally {
    emit("playing", false);
    model.run = null;
  }
});
