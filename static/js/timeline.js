// The phase timeline under the network: F1 F2 │ L │ B2 B1 │ U. Clicking a chip shows that phase.
import { t } from "./i18n.js";
import { phases } from "./store.js";

function label(name) {
  const [kind, layer] = name.split(":");
  if (kind === "forward") return t("phase.forward_short", { n: Number(layer) + 1 });
  if (kind === "backward") return t("phase.backward_short", { n: Number(layer) + 1 });
  return t(`phase.${kind}_short`);
}

export function phaseTitle(name) {
  if (!name) return t("phase.all");
  if (name === "ready") return t("quiz.phase_ready"); // quiz mode, before a step's first phase
  const [kind, layer] = name.split(":");
  return t(`phase.${kind}`, { n: Number(layer) + 1 });
}

export function renderTimeline(el, nLayers, current, onPick) {
  const list = phases(nLayers);
  const at = current === "" ? list.length : list.indexOf(current);
  el.replaceChildren();
  list.forEach((name, k) => {
    if (name === "loss" || name === "backward:" + (nLayers - 1) || name === "update") {
      const sep = document.createElement("li");
      sep.className = "sep";
      sep.textContent = "│";
      sep.setAttribute("aria-hidden", "true");
      el.append(sep);
    }
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.textContent = label(name);
    button.title = phaseTitle(name);
    // "B2" alone names nothing to a screen reader; the name starts with what is seen (WCAG 2.5.3)
    button.setAttribute("aria-label", `${label(name)}: ${phaseTitle(name)}`);
    button.dataset.phase = name;
    button.dataset.focus = `phase:${name}`; // a redraw gives it the focus back (focuskeep.js)
    if (k === at) button.setAttribute("aria-current", "step");
    if (k < at) button.classList.add("done");
    button.addEventListener("click", () => onPick(name));
    li.append(button);
    el.append(li);
  });
  const all = document.createElement("li");
  const button = document.createElement("button");
  button.textContent = t("phase.all_short");
  button.title = t("phase.all");
  button.setAttribute("aria-label", `${t("phase.all_short")}: ${t("phase.all")}`);
  button.dataset.phase = "";
  button.dataset.focus = "phase:";
  if (current === "") button.setAttribute("aria-current", "step");
  button.addEventListener("click", () => onPick(""));
  all.append(button);
  el.append(all);
}
