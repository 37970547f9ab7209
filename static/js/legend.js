// The legend: always on screen, states the sign convention of the current view and its scale.
import { t } from "./i18n.js";
import { fmt } from "./store.js";

const drawn = new WeakMap(); // element -> the HTML it shows

/** `known[l]`: whether layer l's values exist at this phase (before its B phase a gradient
 * does not): an unknown layer's scale is "?", not a number from a later phase. `scalesB`: compare
 * mode's run B, drawn beside A on scales of its own, which the legend then names too. */
export function renderLegend(el, view, scales, scaleMode, known = scales.map(() => true), scalesB = null) {
  const whole = (text) => `<span class="nowrap">${text}</span>`; // 1.5e-4 never breaks at its minus
  let unknownShown = false; // a "?" is on the legend: said what it means, once
  const unknown = () => {
    unknownShown = true;
    return `<span class="nowrap" title="${t("legend.unknown")}">?</span>`; // its meaning on hover, too
  };
  const rangeOf = (list) => {
    const shown = list.filter((_, l) => known[l] ?? true);
    const top = shown.length ? Math.max(...shown) : null;
    return scaleMode === "global" ? (top === null ? unknown() : whole(fmt.num(top, 3)))
      : list.map((s, l) => ((known[l] ?? true) ? whole(fmt.num(s, 2)) : unknown())).join(" · ");
  };
  let range = scalesB ? `A: ${rangeOf(scales)}; B: ${rangeOf(scalesB)}` : rangeOf(scales);
  if (unknownShown) range += ` <span class="unknown-note">${t("legend.unknown_short")}</span>`; // no hover on a touch screen
  const rows = {
    weights: [t("legend.weights_pos"), t("legend.weights_neg")],
    gradients: [t("legend.grad_pos"), t("legend.grad_neg")],
    applied: [t("legend.applied_pos"), t("legend.applied_neg")],
  }[view];
  const html = `
    <div class="row"><span class="pos">${view === "gradients" ? "↑" : "━"}</span><span>${rows[0]}</span></div>
    <div class="row"><span class="neg">${view === "gradients" ? "↓" : "━"}</span><span>${rows[1]}</span></div>
    <div class="row muted"><span class="bar"></span><span>${t("legend.scale", { range })}</span></div>
    <div class="row muted">${t("legend.nodes")}</div>`;
  if (drawn.get(el) !== html) { // a frame whose scale reads the same leaves the legend as it is
    el.innerHTML = html;
    drawn.set(el, html);
  }
}
