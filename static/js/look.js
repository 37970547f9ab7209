// The page's look: light or dark, and the colour-blind palette, as attributes on <html> that the
// stylesheet reads (the canvas and the plots read the colours when they draw); the two buttons
// that switch them. Mounted first: the views that redraw on a new look read the new colours.
import { model, on, setPage } from "./store.js";

const $ = (id) => document.getElementById(id);

export function mountLook() {
  const apply = () => {
    document.documentElement.dataset.theme = model.page.theme;
    document.documentElement.dataset.palette = model.page.palette;
    $("btn-palette").setAttribute("aria-pressed", String(model.page.palette === "cb"));
  };
  apply();
  on("page", (changes) => { if ("theme" in changes || "palette" in changes) apply(); });
  $("btn-theme").addEventListener("click", () => setPage({ theme: model.page.theme === "dark" ? "light" : "dark" }));
  $("btn-palette").addEventListener("click", () => setPage({ palette: model.page.palette === "cb" ? "default" : "cb" }));
}
