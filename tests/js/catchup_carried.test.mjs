// A stream that brings the side plots' numbers with some frames (app/stream.py `include`):
// the slow views catch up on those frames (static/js/catchup.js). Its own file: the bus is
// shared, and catchup.test.mjs mounts another catch-up on it.
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { CATCHUP_MS, mountCatchUp } from "../../static/js/catchup.js";
import { emit, model, on } from "../../static/js/store.js";

test("a frame that came with the side plots' numbers is a turn of its own, and the timer waits", () => {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    mountCatchUp();
    const turns = [];
    on("catchup", (states) => turns.push(states.map((s) => s.step)));
    model.run = { extras: null };
    emit("playing", true);
    emit("state", { state: { step: 2 }, streamed: true });
    model.run.extras = { step: 3 }; // the stream's extras event for the frame after it (app/stream.py)
    emit("state", { state: { step: 3 }, streamed: true });
    assert.deepEqual(turns, [[2, 3]]); // at once: the numbers are those of the State shown
    emit("state", { state: { step: 4 }, streamed: true });
    mock.timers.tick(CATCHUP_MS); // the stream carries the turns now: no turn on the timer
    assert.deepEqual(turns, [[2, 3]]);
    model.run.extras = { step: 5 };
    emit("state", { state: { step: 5 }, streamed: true });
    assert.deepEqual(turns, [[2, 3], [4, 5]]);
    emit("playing", false);
  } finally {
    model.run = null;
    mock.timers.reset();
  }
});
