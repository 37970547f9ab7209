// pickLanguage: the URL's language if the page has it, else the browser's, else English.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pickLanguage } from "../../static/js/i18n.js";

const PAGE = ["en", "zh-Hans", "zh-Hant"];

test("the language asked for wins when the page has it", () => {
  assert.equal(pickLanguage("zh-Hant", PAGE, "en-GB"), "zh-Hant");
});

test("an unknown language falls back to the browser's", () => {
  assert.equal(pickLanguage("klingon", PAGE, "zh-TW"), "zh-Hant");
  assert.equal(pickLanguage("", PAGE, "zh-CN"), "zh-Hans");
  assert.equal(pickLanguage("", PAGE, "zh-Hant-HK"), "zh-Hant");
});

test("a browser language the page lacks gives English", () => {
  assert.equal(pickLanguage("", PAGE, "fr-FR"), "en");
  assert.equal(pickLanguage("", ["en"], "zh-CN"), "en"); // no Chinese catalogue: not a 404
});

test("a new catalogue is found by its code alone", () => {
  assert.equal(pickLanguage("", [...PAGE, "fr"], "fr-CA"), "fr");
});
