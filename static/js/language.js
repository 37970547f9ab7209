// The language menu. A new language is loaded, the page's fixed words translated (data-i18n),
// then every view redraws its own words on the "page" event's `lang`.
import { busy } from "./busy.js";
import { applyTranslations, loadLanguage } from "./i18n.js";
import { model, on, setPage } from "./store.js";

const $ = (id) => document.getElementById(id);

/** Mounted last: the page's words are translated once the views have built their parts. */
export function mountLanguage() {
  $("lang").value = model.page.lang;
  applyTranslations();
  $("lang").addEventListener("change", () => busy(async () => {
    await loadLanguage($("lang").value);
    applyTranslations();
    setPage({ lang: $("lang").value });
  }));
  on("page", (changes) => { if ("palette" in changes) applyTranslations(); }); // "{red}" is orange in the colour-blind palette
}
