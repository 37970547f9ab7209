// The page's URL <-> config and page state, driven by the server's table (GET /api/v1/meta `url`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { META as SERVER_META } from "./meta.mjs";
import { buildQuery, CONFIG_PARAMS, FIELD_OF, format, PAGE_PARAMS, parse, readCompare, readUrl, URL_NAME, useLessonView, useMeta }
  from "../../static/js/urlstate.js";

// The shape of /meta's `url` (app/api.py), cut down to a few fields of each type.
const META = {
  url: {
    config: [
      { url: "preset", field: "preset", type: "str" }, { url: "hidden", field: "hidden", type: "list" },
      { url: "lr", field: "learning_rate", type: "float" }, { url: "clip", field: "clip", type: "float?" },
      { url: "batch_norm", field: "batch_norm", type: "bool" }, { url: "seed", field: "seed", type: "int" },
      { url: "data", field: "data", type: "json" },
    ],
    page: { step: { type: "int", default: 0 }, view: { type: "str", default: "gradients" } },
    compare_prefix: "b_",
  },
};

test("the table comes from /meta, and a second install replaces the first", () => {
  useMeta({ url: { config: [{ url: "x", field: "x", type: "str" }], page: { z: { type: "int", default: 1 } }, compare_prefix: "b_" } });
  useMeta(META);
  assert.equal(CONFIG_PARAMS.length, 7);
  assert.equal(FIELD_OF.lr, "learning_rate");
  assert.equal(URL_NAME.learning_rate, "lr");
  assert.equal(FIELD_OF.x, undefined);
  assert.deepEqual(Object.keys(PAGE_PARAMS), ["step", "view"]);
});

test("each type parses and formats back to the same text", () => {
  for (const [type, text] of [["int", "40"], ["float", "0.25"], ["float?", "none"], ["bool", "1"], ["list", "4,2"],
    ["json", '{"x":[[1]]}'], ["json", "@abc"], ["str", "xor"]]) {
    assert.equal(format(type, parse(type, text)), text, type);
  }
  assert.deepEqual(parse("list", ""), []);
  assert.equal(parse("json", "{broken"), undefined);
});

test("readUrl keeps known fields, drops unknown and unreadable ones, fills page defaults", () => {
  useMeta(META);
  const { config, page, unread } = readUrl("?preset=xor&lr=0.1&hidden=4,2&seed=abc&nonsense=1&step=12");
  assert.deepEqual(config, { preset: "xor", learning_rate: 0.1, hidden: [4, 2] });
  assert.deepEqual(page, { step: 12, view: "gradients" });
  assert.deepEqual(unread, ["seed=abc"]); // said, not silently dropped; an unknown name is no setting of ours
  assert.deepEqual(readUrl("?step=abc&view=nope&lr=").unread, ["step=abc", "lr="]); // view: no pattern in this table
  // a list with a word in it: said and left out, as B's is sent as written (it was [4, null])
  const listed = readUrl("?hidden=4,x&lr=0.5");
  assert.deepEqual([listed.config, listed.unread], [{ learning_rate: 0.5 }, ["hidden=4,x"]]);
});

test("network B's settings: what the page cannot read goes as written, for the server to refuse by name", () => {
  useMeta(META);
  assert.deepEqual(readCompare("?preset=xor&b_lr=0.01&b_hidden=4,2&b_batch_norm=1"),
                   { learning_rate: 0.01, hidden: [4, 2], batch_norm: true });
  // NaN was sent as null: B took A's η and the page compared A with itself
  assert.deepEqual(readCompare("?b_lr=abc&b_hidden=4,x&b_seed=1.5x&b_data={oops"),
                   { learning_rate: "abc", hidden: "4,x", seed: 1, data: "{oops" });
  assert.deepEqual(readCompare("?b_preset=digits&b_nonsense=1"), {}); // another lesson is no setting of A's
  assert.deepEqual(readCompare("?b_clip=none"), { clip: null }); // read: no clipping, not the text "none"
});

test("buildQuery writes only what differs from the page defaults, under the URL names", () => {
  useMeta(META);
  const query = buildQuery({ learning_rate: 3, clip: null }, { step: 0, view: "weights" });
  assert.equal(query, "lr=3&clip=none&view=weights");
  assert.deepEqual(readUrl(`?${query}`), { config: { learning_rate: 3, clip: null }, page: { step: 0, view: "weights" }, unread: [] });
});

test("with the server's table, every field's default survives the URL", () => {
  useMeta(SERVER_META);
  for (const field of SERVER_META.fields) {
    if (field.default === null) continue; // data, weights: no value to carry
    const { config } = readUrl(`?${buildQuery({ [field.name]: field.default }, {})}`);
    assert.deepEqual(config, { [field.name]: field.default }, field.name);
  }
  assert.equal(URL_NAME.learning_rate, "lr");
});

test("a lesson picked from the menu plays at its own default speed, not the last lesson's", () => {
  useMeta(SERVER_META);
  const page = { speed: 1, view: "gradients" };
  useLessonView({ speed: 20, view: "applied" }, page, null); // the optimizer lessons
  assert.equal(page.speed, 20);
  useLessonView({}, page, null); // a lesson that names no speed: the page's default
  assert.equal(page.speed, PAGE_PARAMS.speed[1]);
  useLessonView({ speed: 5 }, page, "?speed=100"); // a link's own speed wins over the lesson's
  assert.equal(page.speed, PAGE_PARAMS.speed[1]);
});
