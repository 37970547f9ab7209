// Compare mode as a view of the page model: run B (compare.js) beside run A, side by side or
// stacked, following A's step — at once after a Step or a jump, twice a second while playing
// ("catchup") — and the menu of suggested comparisons. B's history is overlaid on the plots
// (plotsview.js, on "compare-history").
import { busy } from "./busy.js";
import { Compare, suggestionsFor } from "./compare.js";
import { t } from "./i18n.js";
import { newRun } from "./pagerun.js";
import { emit, model, on } from "./store.js";
import { expose } from "./testhook.js";
import { readCompare } from "./urlstate.js";

const $ = (id) => document.getElementById(id);

/** Compare as suggested ({a, b}: A's and B's settings), or stop comparing (null); from step 0. */
function startCompare(suggestion) {
  showMenu(false);
  if (suggestion?.a) model.config = { ...model.config, ...suggestion.a };
  model.compare.overrides = suggestion ? { ...suggestion.b } : {};
  Object.assign(model.page, { step: 0, phase: "", sel: "" });
  newRun(0);
}

function menuButton(text, run) {
  const b = document.createElement("button");
  b.textContent = text;
  b.addEventListener("click", run);
  return b;
}

/** The menu's items for the lesson and settings of network A, made as it opens. */
function fillMenu(menu) {
  menu.replaceChildren(
    ...suggestionsFor(model.meta.presets, model.config, model.resolved ?? {})
      .map((suggestion) => menuButton(t(suggestion.label, suggestion.vars), () => startCompare(suggestion))),
    menuButton(t("compare.off"), () => startCompare(null)),
  );
}

export function mountCompare() {
  const compare = (model.compare = new Compare($("network-b"), $("tooltip"), $("label-b"), $("label-a"), $("network-b-marks")));
  compare.overrides = readCompare();
  compare.addEventListener("history", () => emit("compare-history"));
  compare.addEventListener("state", () => emit("compare-state"));
  expose({ compare });
  on("run", () => { // the canvases split for two runs (A's redraws at its new size)
    $("stage-canvases").classList.toggle("split", compare.active);
    $("label-a").hidden = $("label-b").hidden = !compare.active;
    $("network-b").hidden = !compare.active;
    $("network-b").parentElement.hidden = !compare.active;
  });
  const draw = () => { if (model.state && compare.active) compare.draw(model.page); };
  on("state", ({ state, streamed }) => {
    draw();
    // through busy(), as the catch-up's: a failure is said, and "idle" waits for run B's step
    if (!streamed && compare.active) busy(() => compare.follow(state.step, model.page, model.data?.input_shape));
  });
  on("page", draw);
  on("catchup", (states) => {
    if (compare.active) busy(() => compare.follow(states.at(-1).step, model.page, model.data?.input_shape));
  });
  const button = $("btn-compare");
  const menu = $("compare-menu");
  button.setAttribute("aria-haspopup", "true");
  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", () => showMenu(menu.hidden));
  // the keyboard's way out: Escape closes it (from its button or an item) and gives the focus
  // back to the button; leaving it with Tab closes it too (it stayed open over the network)
  for (const el of [button, menu]) {
    el.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || menu.hidden) return;
      event.preventDefault(); // this Escape is the menu's, not the page's (which clears the selection)
      showMenu(false);
    });
  }
  button.parentElement.addEventListener("focusout", (event) => {
    if (!menu.hidden && !button.parentElement.contains(event.relatedTarget)) showMenu(false, false);
  });
}

/** Open or close the compare menu; closing gives the focus back to its button when the focus
 * was in the menu (an item just chosen is hidden with it) and `refocus` allows. */
function showMenu(open, refocus = true) {
  const button = $("btn-compare");
  const menu = $("compare-menu");
  const inMenu = menu.contains(document.activeElement);
  if (open) fillMenu(menu);
  menu.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (!open && inMenu && refocus) button.focus();
}
