// Which key presses are the page's shortcuts and which belong to the focused element.
import { test } from "node:test";
import assert from "node:assert/strict";
import { actionFor } from "../../static/js/keys.js";

const element = (tagName, { role = null, inDialog = false } = {}) => ({
  tagName,
  getAttribute: (name) => (name === "role" ? role : null),
  closest: (selector) => (selector.includes("dialog") && inDialog ? {} : null),
});
const press = (key, target = element("BODY"), mods = {}) => actionFor({ key, target, ...mods });

test("Space plays only when no button has the focus", () => {
  assert.equal(press(" "), "play");
  assert.equal(press(" ", element("CANVAS")), "play");
  assert.equal(press(" ", element("BUTTON")), null);
  assert.equal(press(" ", element("SUMMARY")), null);
  assert.equal(press(" ", element("A")), null);
  assert.equal(press(" ", element("DIV", { role: "radio" })), null);
});

test("letters typed into a field are the field's, Escape is the page's", () => {
  assert.equal(press("n", element("INPUT")), null);
  assert.equal(press("g", element("SELECT")), null);
  assert.equal(press("Escape", element("INPUT")), "escape");
  assert.equal(press("n", element("BUTTON")), "step");
});

test("inside a dialog only ? (closing the help) is the page's", () => {
  const inside = element("BUTTON", { inDialog: true });
  assert.equal(press("r", inside), null);
  assert.equal(press("Escape", inside), null);
  assert.equal(press("?", inside), "help");
});

test("modifier keys and Enter are never shortcuts", () => {
  assert.equal(press("c", element("BODY"), { ctrlKey: true }), null);
  assert.equal(press("Enter"), null);
  assert.equal(press("g"), "jump");
  assert.equal(press("2"), "view:gradients");
});
