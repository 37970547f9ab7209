// A link the page cannot draw (view=x, sample=x, sel=bogus) opens with the defaults instead of
// throwing; the patterns are the server's (GET /api/v1/meta url.page.<name>.pattern).
import { test } from "node:test";
import assert from "node:assert/strict";
import { META } from "./meta.mjs";
import { readUrl, useMeta } from "../../static/js/urlstate.js";

useMeta(META);

test("unknown page values fall back to the defaults", () => {
  const { page } = readUrl("?preset=xor&view=x&sample=x&sel=e:1:x");
  assert.equal(page.view, "gradients");
  assert.equal(page.sample, "mean");
  assert.equal(page.sel, "");
});

test("drawable page values are kept", () => {
  const { page } = readUrl("?view=weights&sample=3&sel=e:9:9:9");
  assert.equal(page.view, "weights");
  assert.equal(page.sample, "3");
  assert.equal(page.sel, "e:9:9:9"); // syntax only: whether the net has it is checked where the net is known
});
