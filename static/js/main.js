// The page's start: read /meta (the settings' table, limits, phases, lessons; the page carries
// its answer, so no request waits for it), the URL and the language, build the page model
// (store.js) with its run (run.js), mount the views (views.js) and open the run. Nothing
// passes through here afterwards: views subscribe to the model and draw it, changes go
// through setPage (store.js) and the verbs (actions.js, pagerun.js).
import { api } from "./api.js";
import { loadLanguage, pickLanguage, t } from "./i18n.js";
import { lessonOf, newRun } from "./pagerun.js";
import { parseQuiz } from "./quizstate.js";
import { RunModel } from "./run.js";
import { model, useRun } from "./store.js";
import { toast } from "./toast.js";
import { readUrl, useLessonView, useMeta } from "./urlstate.js";
import { mountViews } from "./views.js";

/** GET /api/v1/meta's answer as the page carries it (app/pages.py), or null without it. */
function pageMeta() {
  const block = document.getElementById("meta");
  return block?.textContent ? JSON.parse(block.textContent) : null;
}

async function start() {
  model.meta = pageMeta() ?? (await api.meta()); // the URL's table, limits and phases are the server's
  useMeta(model.meta);
  const { config, page, unread } = readUrl();
  // a quiz the page cannot give (its end before its start, more steps than a quiz has): said
  // and left out, as any value the page cannot read (the link opened no quiz and said nothing)
  if (page.quiz && !parseQuiz(page.quiz)) { unread.push(`quiz=${page.quiz}`); page.quiz = ""; }
  model.config = config;
  model.page = page;
  // A first visit (no settings in the URL) opens the first lesson, with its words in the
  // inspector, rather than unexplained settings; any parameter in the URL is kept as given.
  if (!Object.keys(model.config).length && model.meta.presets.length) model.config = { preset: model.meta.presets[0].name };
  const named = new URLSearchParams(location.search); // what the link names, less what it named unreadably
  for (const param of unread) named.delete(param.split("=")[0]);
  useLessonView(lessonOf(model.meta, model.config.preset)?.view, model.page, `?${named}`); // the views that show the lesson's point
  model.page.lang = pickLanguage(page.lang, [...document.getElementById("lang").options].map((o) => o.value));
  await loadLanguage(model.page.lang);
  if (unread.length) toast(t("link.unread", { params: unread.join(", ") })); // left out, not silently
  useRun(new RunModel());
  await mountViews(); // with the features the URL opens at load (views.js)
  await newRun(page.step);
}

start().catch((error) => { console.error(error); toast(error.message); });
