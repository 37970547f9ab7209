// The lesson menu and the settings panel as a view of the page model: a control for every
// RunConfig field (controls.js), drawn for each new run, in each language, and again when the
// server refused a change (the control goes back to what runs). A change restarts the run.
import { onChosen, renderControls, renderLessons } from "./controls.js";
import { keepingFocus } from "./focuskeep.js";
import { changeFields, openLesson } from "./pagerun.js";
import { t } from "./i18n.js";
import { model, on } from "./store.js";

const $ = (id) => document.getElementById(id);
const grouped = new Intl.NumberFormat("en-US"); // 13,002: the number the digits lesson says

export function mountSettings() {
  const draw = () => {
    if (!model.resolved) return;
    renderLessons($("lesson"), model.meta, model.config.preset);
    keepingFocus($("controls"), () => renderControls($("controls"), model.meta, model.resolved, (field, value) => changeFields({ [field]: value })));
    $("n-params").textContent = t("params.count", { n: grouped.format(model.nParams) });
  };
  on("run", draw);
  on("config", draw);
  on("page", (changes) => { if ("lang" in changes) draw(); });
  onChosen($("lesson"), () => { if ($("lesson").value) openLesson($("lesson").value); });
}
