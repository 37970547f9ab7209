// While playing, the slow views catch up with the streamed frames twice a second (static/js/catchup.js).
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { CATCHUP_MS, mountCatchUp } from "../../static/js/catchup.js";
import { emit, on } from "../../static/js/store.js";

test("the frames streamed since the last turn arrive together, a paused run's none", () => {
  mock.timers.enable({ apis: ["setInterval"] });
  try {
    mountCatchUp();
    const turns = [];
    on("catchup", (states) => turns.push(states.map((s) => s.step)));
    emit("state", { state: { step: 1 }, streamed: false }); // a Step's State: not a frame
    emit("playing", true);
    emit("state", { state: { step: 2 }, streamed: true });
    emit("state", { state: { step: 3 }, streamed: true });
    mock.timers.tick(CATCHUP_MS);
    assert.deepEqual(turns, [[2, 3]]);
    mock.timers.tick(CATCHUP_MS); // no new frame: no turn
    assert.deepEqual(turns, [[2, 3]]);
    emit("state", { state: { step: 4 }, streamed: true });
    emit("playing", false); // paused before the turn: the pause's State and history come whole
    mock.timers.tick(3 * CATCHUP_MS);
    assert.deepEqual(turns, [[2, 3]]);
    emit("playing", true);
    emit("state", { state: { step: 5 }, streamed: true });
    mock.timers.tick(CATCHUP_MS);
    assert.deepEqual(turns, [[2, 3], [5]]);
    emit("playing", false);
  } finally {
    mock.timers.reset();
  }
});
