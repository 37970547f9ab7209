// Keyboard shortcuts and the `?` help overlay.
import { t } from "./i18n.js";

export const SHORTCUTS = [
  ["Space", "keys.play", "play"], ["→", "keys.phase", "phase"], ["n", "keys.step", "step"],
  ["e", "keys.epoch", "epoch"], ["r", "keys.reset", "reset"], ["g", "keys.jump", "jump"],
  ["1 2 3", "keys.views", null], ["c", "keys.copy", "copy"], ["Esc", "keys.escape", "escape"], ["?", "keys.help", "help"],
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

export function bindKeys(actions) {
  document.addEventListener("keydown", (event) => {
    const tag = event.target.tagName;
    if (["INPUT", "SELECT", "TEXTAREA"].includes(tag) && event.key !== "Escape") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const map = { " ": "play", ArrowRight: "phase", n: "step", e: "epoch", r: "reset", g: "jump", c: "copy",
                  "?": "help", Escape: "escape", 1: "view:weights", 2: "view:gradients", 3: "view:applied" };
    const action = map[event.key];
    if (!action) return;
    event.preventDefault();
    actions(action);
  });
}
