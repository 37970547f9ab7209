// Message catalogues in static/i18n/*.json; every string on the page goes through t().
const catalogues = {};
let current = "en";

/**
 * The language to show: the one asked for if the page has it (the language menu lists the
 * server's table, app/i18n.py), else the browser's, else English.
 */
export function pickLanguage(requested, available, browser = globalThis.navigator?.language) {
  if (available.includes(requested)) return requested;
  const nav = (browser || "en").toLowerCase();
  const chinese = nav.startsWith("zh") ? (/tw|hk|mo|hant/.test(nav) ? "zh-Hant" : "zh-Hans") : null;
  if (chinese && available.includes(chinese)) return chinese;
  return available.find((code) => nav.startsWith(code.toLowerCase())) ?? "en";
}

export async function loadLanguage(lang) {
  for (const code of new Set(["en", lang])) {
    if (!catalogues[code]) {
      const response = await fetch(new URL(`../i18n/${code}.json`, import.meta.url)); // same hashed prefix as this module
      catalogues[code] = await response.json();
    }
  }
  current = lang;
  document.documentElement.lang = lang;
}

export function language() { return current; }

/** The name of the colour that negative values are drawn in: red, or orange in the colour-blind
 * palette (look.js sets data-palette on <html>). A message says "{red}" where it names it. */
function negativeColour() {
  return t(globalThis.document?.documentElement.dataset.palette === "cb" ? "color.orange" : "color.red");
}

/** The message for `key` in the current language, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const text = catalogues[current]?.[key] ?? catalogues.en?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name])
    : name === "red" ? negativeColour() : `{${name}}`));
}

/** Translate every data-i18n* attribute under `root`. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll("[data-i18n-title][aria-label]:not([data-i18n-aria])")) {
    el.setAttribute("aria-label", t(el.dataset.i18nTitle));
  }
}
