// Your own data from a CSV file: rows of numbers, the last column the target.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCsv } from "../../static/js/dataedit.js";

test("inputs and a target per row; a header and comments are skipped", () => {
  const data = parseCsv("x1,x2,y\n# a comment\n0,1,1\n1,0,1\n\n1,1,0\n", 10);
  assert.deepEqual(data.x, [[0, 1], [1, 0], [1, 1]]);
  assert.deepEqual(data.y, [[1], [1], [0]]);
});

test("a bad cell is named by its row and column (the message key in node: no catalogue)", () => {
  assert.throws(() => parseCsv("0,1,1\n1,zero,1\n", 10), /csv\.cell/);
});

test("ragged rows, too many rows, one column and nothing are refused", () => {
  assert.throws(() => parseCsv("0,1,1\n1,0\n", 10), /csv\.ragged/);
  assert.throws(() => parseCsv("0,1\n1,0\n1,1\n", 2), /csv\.too_many/);
  assert.throws(() => parseCsv("1\n2\n", 10), /csv\.width/);
  assert.throws(() => parseCsv("# only a comment\n", 10), /csv\.empty/);
});
