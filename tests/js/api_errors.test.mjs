// The server's errors in the page's language (static/js/api.js ApiError): a budget's most is a
// number the server gives, said in the page's words, not the server's English.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

globalThis.document ??= { documentElement: { dataset: {} } };
globalThis.fetch = async (url) => ({ json: async () => JSON.parse(readFileSync(new URL(url), "utf8")) });
const { ApiError } = await import("../../static/js/api.js");
const { loadLanguage } = await import("../../static/js/i18n.js");

const budget = (most) => [{
  loc: ["body", "steps"], type: "value_error", code: "budget", value: 3000,
  msg: "3000 steps of this net (13002 parameters × 32 rows a batch) is more work than one request may do",
  allowed: "at most 2691 steps from the start for this net (BPX_MAX_WORK = 1.12e+09 parameter·rows)",
  ...(most === undefined ? {} : { most }),
}];

test("too much work for one request says the most in the page's language", async () => {
  for (const [lang, words] of [["en", "at most 2691"], ["zh-Hans", "最多 2691"], ["zh-Hant", "最多 2691"]]) {
    await loadLanguage(lang);
    const message = new ApiError(422, budget(2691)).message;
    assert.ok(message.includes(words), `${lang}: ${message}`);
    assert.ok(message.includes("3000"), message);
    if (lang !== "en") assert.ok(!/[a-z]{4,}/.test(message.replace(/BPX_\w+/, "")), `${lang}: English in ${message}`);
  }
});

test("a budget without a number to give keeps the server's words", async () => {
  await loadLanguage("en");
  const message = new ApiError(422, budget(undefined)).message;
  assert.ok(message.includes("is more work than one request may do") && message.includes("at most 2691"), message);
});

test("a name that is no parameter is said in the page's language, what is allowed in signs", async () => {
  const detail = [{ loc: ["query", "q"], type: "value_error", code: "parameter", value: "foo",
    msg: "'foo' names no weight or bias", allowed: "W<l>:<i>:<j>, b<l>:<i>; l = 0…1" }];
  for (const lang of ["zh-Hans", "zh-Hant"]) {
    await loadLanguage(lang);
    const message = new ApiError(422, detail).message;
    assert.ok(message.includes("foo") && message.includes("l = 0…1"), message);
    assert.ok(!/[a-z]{3,}/.test(message.replace("foo", "")), `${lang}: English in ${message}`);
  }
});

test("a sentence that says a most the server did not give keeps the server's words", async () => {
  const detail = [{ loc: ["body", "x"], type: "value_error", code: "too_many", value: 9,
    msg: "9 rows is too many", allowed: "at most 8" }];
  for (const lang of ["en", "zh-Hans"]) {
    await loadLanguage(lang);
    const message = new ApiError(422, detail).message;
    assert.ok(!message.includes("undefined") && message.includes("9 rows is too many"), `${lang}: ${message}`);
  }
  await loadLanguage("zh-Hans");
  const said = new ApiError(422, [{ ...detail[0], most: 8 }]).message;
  assert.ok(said.includes("9") && said.includes("最多 8") && !said.includes("rows"), said);
});

test("every kind of error reads without English on a Chinese page", async () => {
  const english = JSON.parse(readFileSync(new URL("../../static/i18n/en.json", import.meta.url), "utf8"));
  const codes = Object.keys(english).filter((k) => k.startsWith("error.") && !["error.allowed", "error.invalid"].includes(k))
    .map((k) => k.slice("error.".length));
  assert.ok(codes.includes("boolean") && codes.includes("store_full"), codes.join());
  for (const lang of ["zh-Hans", "zh-Hant"]) {
    await loadLanguage(lang);
    for (const code of codes) {
      const detail = [{ loc: ["body", "hidden"], type: "value_error", code, value: 7, most: 9, allowed: "0 … 9",
        msg: "an English sentence from the server" }];
      const message = new ApiError(422, detail).message;
      const rest = message.replace(/JSON|MB|softmax|sigmoid|data\.x/g, "");
      assert.ok(!/[A-Za-z]{3,}/.test(rest), `${lang} ${code}: English in ${message}`);
    }
  }
});

test("what is allowed is said in the page's language: a choice list, a range, the lessons", async () => {
  const choice = [{ loc: ["body", "dataset"], type: "literal_error", code: "choice", value: "foo",
    msg: "Input should be 'xor', 'circle' or 'custom'", allowed: "'xor', 'circle' or 'custom'",
    choices: ["xor", "circle", "custom"] }];
  const range = [{ loc: ["body", "hidden"], type: "value_error", code: "range", value: 600,
    msg: "600 is out of range", allowed: "1 to 512", least: 1, most: 512 }];
  const lesson = [{ ...choice[0], loc: ["body", "preset"], value: "nosuch", choices: ["xor", "chain"] }];
  const said = {
    en: ["xor, circle, or custom", "1 to 512", "a lesson of the menu"],
    "zh-Hans": ["xor、circle或custom", "1 到 512", "菜单中的一课"],
    "zh-Hant": ["xor、circle或custom", "1 到 512", "選單中的一課"],
  };
  for (const [lang, words] of Object.entries(said)) {
    await loadLanguage(lang);
    const messages = [choice, range, lesson].map((detail) => new ApiError(422, detail).message);
    messages.forEach((message, k) => assert.ok(message.includes(words[k]), `${lang}: ${message}`));
    if (lang !== "en") {
      for (const message of messages) assert.ok(!/ or | to |'/.test(message), `${lang}: English in ${message}`);
    }
  }
});
