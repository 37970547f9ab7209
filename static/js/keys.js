// Keyboard shortcuts and the `?` help overlay.
import { t } from "./i18n.js";

export const SHORTCUTS = [
  ["Space", "keys.play", "play"], ["→", "keys.phase", "phase"], ["n", "keys.step", "step"],
  ["e", "keys.epoch", "epoch"], ["r", "keys.reset", "reset"], ["g", "keys.jump", "jump"],
  ["1 2 3", "keys.views", null], ["c", "keys.copy", "copy"], ["Esc", "keys.escape", "escape"], ["?", "keys.help", "help"],
  ["↑ ↓ ← → Enter", "keys.network", null], // the network canvas's own keys (netkeys.js)
  ["↑ ↓ ← → Enter Delete", "keys.plane", null], // the plane's, where its points are yours (planekeys.js)
  ["↑ ↓ ← → Enter Delete", "keys.pad", null], // the digit lab's drawing pad (padkeys.js)
];

export function renderHelp(dl) {
  dl.replaceChildren();
  for (const [key, label] of SHORTCUTS) {
    const dt = document.createElement("dt");
    dt.innerHTML = key.split(" ").map((k) => `<kbd>${k}</kbd>`).join(" ");
    const dd = document.createElement("dd");
    dd.textContent = t(label);
    dl.append(dt, dd);
  }
}

// Elements whose own keys win: Space presses a focused button (it does not toggle Play), fields
// take the letters typed into them.
const TYPING = ["INPUT", "SELECT", "TEXTAREA"];
const PRESSABLE = ["BUTTON", "A", "SUMMARY"];

/** The action a key press means on the page, or null when the focused element keeps it. */
export function actionFor(event) {
  const target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (TYPING.includes(target.tagName) && event.key !== "Escape") return null;
  if (target.closest?.("[role='dialog']")) return event.key === "?" ? "help" : null; // the dialog's own keys
  if (event.key === " " && (PRESSABLE.includes(target.tagName) || target.getAttribute?.("role") === "radio")) return null;
  if (event.key === "Enter") return null;
  const map = { " ": "play", ArrowRight: "phase", n: "step", e: "epoch", r: "reset", g: "jump", c: "copy",
                "?": "help", Escape: "escape", 1: "view:weights", 2: "view:gradients", 3: "view:applied" };
  return map[event.key] ?? null;
}

export function bindKeys(actions) {
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented) return; // handled on the way up (the network's arrow keys)
    const action = actionFor(event);
    if (!action) return;
    event.preventDefault();
    actions(action);
  });
}
