// What the pointer is over, and the selection names a URL carries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hitTest, parseSelection, segmentDistance, selectionName } from "../../static/js/hittest.js";

test("selection names round-trip; malformed ones are nothing", () => {
  assert.deepEqual(parseSelection("e:1:2:3"), { kind: "e", l: 1, i: 2, j: 3 });
  assert.deepEqual(parseSelection("n:0:4"), { kind: "n", col: 0, i: 4 });
  assert.equal(selectionName({ kind: "e", l: 1, i: 2, j: 3 }), "e:1:2:3");
  for (const bad of ["", "e:1:2", "n:-1:0", "x:1:2", "e:1.5:0:0"]) assert.equal(parseSelection(bad), null);
});

test("distance to a segment: perpendicular inside it, to the nearer end outside", () => {
  assert.equal(segmentDistance(5, 3, 0, 0, 10, 0), 3);
  assert.equal(segmentDistance(13, 4, 0, 0, 10, 0), 5);
});

test("a node wins over the edges under it; else the nearest edge within reach", () => {
  const drawn = {
    nodes: [{ col: 1, i: 0, x: 100, y: 100, r: 10 }],
    edges: [{ l: 0, i: 0, j: 0, x1: 0, y1: 100, x2: 100, y2: 100, width: 2 },
            { l: 0, i: 0, j: 1, x1: 0, y1: 110, x2: 100, y2: 100, width: 2 }],
  };
  assert.equal(hitTest(drawn, 105, 100).kind, "n");
  const e = hitTest(drawn, 50, 101);
  assert.deepEqual([e.kind, e.j], ["e", 0]);
  assert.equal(hitTest(drawn, 50, 150), null);
});
