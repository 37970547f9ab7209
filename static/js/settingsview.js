// The lesson menu and the settings panel as a view of the page model: a control for every
// RunConfig field (controls.js), drawn for each new run, in each language, and again when the
// server refused a change (the control goes back to what runs). A change restarts the run.
import { renderControls, renderLessons } from "./controls.js";
import { changeFields, openLesson } from "./pagerun.js";
import { model, on } from "./store.js";

const $ = (id) => document.getElementById(id);

export function mountSettings() {
  const draw = () => {
    if (!model.resolved) return;
    renderLessons($("lesson"), model.meta, model.config.preset);
    renderControls($("controls"), model.meta, model.resolved, (field, value) => changeFields({ [field]: value }));
  };
  on("run", draw);
  on("config", draw);
  on("page", (changes) => { if ("lang" in changes) draw(); });
  $("lesson").addEventListener("change", () => { if ($("lesson").value) openLesson($("lesson").value); });
}
