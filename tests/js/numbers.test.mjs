// NaN and ±∞ survive the trip through JSON and are shown as themselves (issue: a diverged
// run's loss showed as 0).
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatNumber, nonFinite, parseJson } from "../../static/js/numbers.js";

test("the server's names for non-finite numbers read back as numbers", () => {
  const got = parseJson('{"loss": "NaN", "a": [1.5, "Infinity", "-Infinity"], "name": "sigmoid", "none": null}');
  assert.ok(Number.isNaN(got.loss));
  assert.deepEqual(got.a, [1.5, Infinity, -Infinity]);
  assert.equal(got.name, "sigmoid");
  assert.equal(got.none, null); // "no value" stays distinct from NaN
});

test("only the exact names are numbers: other strings stay strings", () => {
  const got = parseJson('{"a": "NaN is a number", "b": "toString", "c": "Infinity"}');
  assert.equal(got.a, "NaN is a number");
  assert.equal(got.b, "toString");
  assert.equal(got.c, Infinity);
});

test("non-finite numbers are shown as NaN, ∞ and −∞, not 0 or a dash", () => {
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(Infinity), "∞");
  assert.equal(formatNumber(-Infinity), "−∞");
  assert.equal(formatNumber(null), "—");
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(0.123456), "0.1235");
  assert.equal(formatNumber(-2.5e-5, 2), "-2.5e-5");
  assert.equal(nonFinite(3), null);
  assert.equal(nonFinite("NaN"), null); // a string is not a number: parse first
});
