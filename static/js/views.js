// The page's views, mounted once at start in this order (main.js). Each is a file that finds its
// elements, subscribes to the page model (store.js) and draws it; changes go back through
// setPage (store.js) or a verb (actions.js, pagerun.js). A new panel is a new file and one line here.
//
// The features not on screen at first load (the quiz, the tour, compare mode, the share dialog,
// the digit lab) are fetched with import() when first opened, so that a page load asks for fewer
// files; a URL or lesson that opens one at load has it mounted in its place before the first run.
import { mountActions } from "./actions.js";
import { mountAddress } from "./address.js";
import { busy } from "./busy.js";
import { mountCatchUp } from "./catchup.js";
import { mountDataEditing } from "./dataedit.js";
import { mountHealth } from "./healthview.js";
import { t } from "./i18n.js";
import { mountInspector } from "./inspectpanel.js";
import { mountLanguage } from "./language.js";
import { mountLook } from "./look.js";
import { mountNetwork } from "./networkpanel.js";
import { mountNodeMarks } from "./nodemarks.js";
import { changeFields, lessonOf } from "./pagerun.js";
import { plotMs } from "./plots.js";
import { mountPlots } from "./plotsview.js";
import { mountSettings } from "./settingsview.js";
import { mountShape } from "./shape.js";
import { mountStatus } from "./status.js";
import { model, on, setPage } from "./store.js";
import { mountTestHook } from "./testhook.js";
import { mountToolbar } from "./toolbar.js";
import { readCompare } from "./urlstate.js";
import { mountWeightsTable } from "./weightstable.js";
import { mountWhy } from "./why.js";

const $ = (id) => document.getElementById(id);

/** A module fetched and mounted once, when first asked for; every later ask gets the same
 * promise, and `.done` says it is mounted. */
function later(mount) {
  let mounted = null;
  const load = () => (mounted ??= busy(async () => { await mount(); load.done = true; })
    .then(() => { if (!load.done) mounted = null; })); // failed (busy said why): the next ask tries again
  load.done = false;
  return load;
}

/** Until `load` has mounted its module, a click on `button` fetches it; then each click made
 * meanwhile is pressed again, for the module's own listener (which is the button's from then on),
 * in a task of its own: a module at hand mounts before the first click has finished, and a
 * click() inside a keyboard's click on the same button does nothing (HTML's "click in progress"). */
function loadOnClick(button, load) {
  let clicks = 0;
  const first = () => {
    if (load.done) { button.removeEventListener("click", first); return; } // mounted otherwise: its own listener has it
    if (clicks++) return;
    busy(async () => { // the page is busy until the clicks are pressed again, not only loaded
      await load();
      button.removeEventListener("click", first);
      if (!load.done) { clicks = 0; return; } // the fetch failed: the next click tries again
      await new Promise((done) => setTimeout(done));
      for (; clicks > 0; clicks--) button.click();
    });
  };
  button.addEventListener("click", first);
}

const dataset = () => model.config.dataset ?? lessonOf(model.meta, model.config.preset)?.config.dataset;
const image = () => model.data?.input_shape.length === 2;

export async function mountViews() {
  let network = null;
  const compare = later(async () => (await import("./compareview.js")).mountCompare());
  const quiz = later(async () => (await import("./quiz.js")).mountQuiz($("coach"), $("btn-quiz"), { setPage, busy }));
  const tour = later(async () => (await import("./tour.js")).mountTour($("tour"), $("btn-tour"), { setPage, busy }));
  const digits = later(async () => (await import("./digits.js")).mountDigitLab($("digit-lab"), $("probe-chip"), network, busy));
  const share = later(async () => (await import("./share.js")).mountShare());
  // What the URL or the lesson opens at load is fetched now, together, and mounted in its place below.
  const now = await Promise.all([
    Object.keys(readCompare()).length ? import("./compareview.js") : null,
    dataset() === "digits" ? import("./digits.js") : null,
    model.page.quiz ? import("./quiz.js") : null,
    model.page.tour ? import("./tour.js") : null,
  ]);

  mountLook(); // first: the views that redraw for a new look read its colours
  mountActions(); // before the views: they draw with the new stream already asked for
  mountTestHook();
  mountAddress();
  mountToolbar();
  mountSettings();
  mountStatus(setPage);
  mountWeightsTable($("weights-table"));
  mountInspector($("inspector"), busy);
  mountWhy($("why"), { setPage, busy });
  mountHealth($("health-stat"), busy);
  network = mountNetwork(setPage);
  if (now[0]) await compare(); // fetched above: mounts at once
  loadOnClick($("btn-compare"), compare); // compare mode: its menu and run B come with the first click
  mountShape($("shape"), $("network"), network, (hidden) => changeFields({ hidden })); // after the network: its layout places them
  mountNodeMarks($("network-marks"), $("btn-pictures"), network, setPage);
  if (now[1]) await digits();
  on("run", () => { if (image()) digits(); }); // the digit lab: for image inputs only
  if (now[2]) await quiz();
  mountQuizButton(quiz);
  if (now[3]) await tour();
  mountTourButton(tour);
  mountCatchUp({ drawnMs: plotMs }); // paced by what the plots cost on this machine
  mountPlots();
  mountDataEditing();
  loadOnClick($("btn-share"), share); // the share dialog: off screen until its button
  mountLanguage(); // last: translates the words of the page the views have built
}

/** The quiz's button until quiz.js is fetched (by its first click, or a quiz= that asks for it):
 * its words in the page's language, as quiz.js keeps them. */
function mountQuizButton(load) {
  const button = $("btn-quiz");
  loadOnClick(button, load);
  const sync = () => {
    if (model.page.quiz && !load.done) load().then(() => setPage({})); // a quiz opened otherwise than by its button
    if (load.done || model.playing) return;
    button.textContent = t("quiz.start");
  };
  on("state", sync);
  on("page", sync);
}

/** The tour's button until tour.js is fetched: shown for a lesson with a tour, as tour.js does. */
function mountTourButton(load) {
  const button = $("btn-tour");
  loadOnClick(button, load);
  const sync = () => {
    if (model.page.tour && !load.done) load().then(() => setPage({}));
    if (load.done || model.playing) return;
    button.hidden = !lessonOf(model.meta, model.config.preset)?.tour;
    button.setAttribute("aria-pressed", "false");
  };
  on("state", sync);
  on("page", sync);
}
