// The page's start and its actions: URL -> run -> model. Views subscribe to the model
// (store.js events) and draw it; they never talk to each other. A new panel is a new file
// that subscribes to "state", "page", "history" or "run" — nothing here to wire through.
import { api } from "./api.js";
import { applyTranslations, loadLanguage, pickLanguage, t } from "./i18n.js";
import { mountShape } from "./shape.js";
import { renderControls, renderLessons } from "./controls.js";
import { mountNetwork } from "./networkpanel.js";
import { mountDigitLab } from "./digits.js";
import { mountPlots } from "./plotsview.js";
import { mountCatchUp } from "./catchup.js";
import { busy } from "./busy.js";
import { toast } from "./toast.js";
import { BIG_NET, emit, model, on, setPage } from "./store.js";
import { holdPhases, jump, mountActions } from "./actions.js";
import { mountToolbar } from "./toolbar.js";
import { mountLook } from "./look.js";
import { mountAddress, pageQuery } from "./address.js";
import { RunModel } from "./run.js";
import { mountStatus } from "./status.js";
import { mountWeightsTable } from "./weightstable.js";
import { mountInspector } from "./inspectpanel.js";
import { Compare, readCompare, SUGGESTIONS } from "./compare.js";
import { bindDataEditing } from "./dataedit.js";
import { bindShare } from "./share.js";
import { readUrl, useLessonView, useMeta } from "./urlstate.js";
import { hook } from "./testhook.js";
import { mountQuiz } from "./quiz.js";
import { mountWhy } from "./why.js";
import { mountTour } from "./tour.js";
import { mountHealth } from "./healthview.js";
import { mountNodeMarks } from "./nodemarks.js";

const $ = (id) => document.getElementById(id);
// What the browser tests read (testhook.js); a plain object nobody sees when none asked.
const bpx = hook ? Object.assign(hook, { model }) : {};
let network;
let compare = null; // run B of compare mode

// -- start ---------------------------------------------------------------------------------------------

async function start() {
  model.meta = await api.meta(); // the URL's table, limits and phases are the server's
  useMeta(model.meta);
  const { config, page } = readUrl();
  model.config = config;
  model.page = page;
  // A first visit (no settings in the URL) opens the first lesson, with its words in the
  // inspector, rather than unexplained settings; any parameter in the URL is kept as given.
  if (!Object.keys(model.config).length && model.meta.presets.length) model.config = { preset: model.meta.presets[0].name };
  useLessonView(currentPreset()?.view, model.page); // the views that show the lesson's point
  model.page.lang = pickLanguage(page.lang, [...$("lang").options].map((o) => o.value));
  await loadLanguage(model.page.lang);
  $("lang").value = model.page.lang;
  compare = model.compare = new Compare($("network-b"), $("tooltip"), $("label-b"), $("label-a"));
  compare.overrides = readCompare();
  compare.addEventListener("history", () => emit("compare-history"));
  model.run = new RunModel();
  followRun(model.run);
  mountViews();
  if (hook) Object.assign(hook, { compare, network });
  wire();
  translate();
  await newRun(page.step);
}

/** The run's events become the page model's: views subscribe to the model, not to the run. */
function followRun(run) {
  run.addEventListener("state", (e) => {
    const { state } = e.detail;
    model.state = state;
    model.page.step = state.step;
    emit("state", e.detail);
  });
  run.addEventListener("history", (e) => {
    model.history = run.history;
    emit("history", e.detail);
  });
  run.addEventListener("playing", (e) => {
    model.playing = e.detail;
    emit("playing", e.detail);
  });
}

function mountViews() {
  mountLook();
  mountActions();
  mountToolbar();
  mountAddress();
  mountStatus(setPage);
  mountWeightsTable($("weights-table"));
  mountInspector($("inspector"), busy);
  mountWhy($("why"), { setPage, busy });
  mountHealth($("health-stat"), busy);
  network = mountNetwork(setPage);
  const drawCompare = () => { if (model.state && compare.active) compare.draw(model.page); };
  on("state", drawCompare);
  on("page", drawCompare);
  mountShape($("shape"), $("network"), network, (hidden) => changeFields({ hidden })); // after the network: its layout places them
  mountNodeMarks($("network-marks"), $("btn-pictures"), network, setPage);
  mountDigitLab($("digit-lab"), $("probe-chip"), network, busy);
  on("state", ({ state, streamed }) => { // the URL and the test hook follow the step shown
    if (!streamed && compare.active) compare.follow(state.step, model.page, model.data?.input_shape);
    bpx.step = state.step;
    bpx.runId = model.runId;
    bpx.rendered = (bpx.rendered || 0) + 1;
    if (bpx.firstRender === undefined) bpx.firstRender = performance.now(); // ms since navigation: the first meaningful paint
  });
  const quiz = mountQuiz($("coach"), $("btn-quiz"), { setPage, busy, jump });
  holdPhases(() => quiz.holds()); // in quiz mode a phase is revealed by answering its question
  mountTour($("tour"), $("btn-tour"), { setPage, busy });
  mountCatchUp();
  on("catchup", (states) => { // while playing, run B follows twice a second
    if (compare.active) busy(() => compare.follow(states.at(-1).step, model.page, model.data?.input_shape));
  });
  mountPlots();
}

function translate() {
  applyTranslations();
  if (model.resolved) {
    renderLessons($("lesson"), model.meta, model.config.preset);
    renderControls($("controls"), model.meta, model.resolved, changeField);
  }
}

/** A big net's Step answer: every State field the panels read (the penalty's share of ∂L/∂W is
 * drawn by none). */
function restFields() {
  const { top, layer } = model.meta.state_fields;
  return [...top, ...layer.filter((k) => k !== "dW_penalty").map((k) => `layers.${k}`)].join(",");
}

function currentPreset() {
  return model.meta.presets.find((p) => p.name === model.config.preset) ?? null;
}

// -- runs ----------------------------------------------------------------------------------------------

// Longer JSON than this (imported weights, big custom data) is stored on the server and the
// URL names it as @<code>: every view stays a URL that a server accepts (app/blobs.py).
const URL_INLINE_CHARS = 2000;

async function storeBigValues(config) {
  for (const field of ["weights", "data"]) {
    const value = config[field];
    if (value && typeof value !== "string" && JSON.stringify(value).length > URL_INLINE_CHARS) {
      config[field] = (await api.storeValue(value)).ref;
    }
  }
}

async function newRun(targetStep = 0, existing = null) {
  model.run.pauseNow();
  model.nodeMaps = model.health = null; // another network: the last one's pictures and flags go
  await busy(async () => {
    await storeBigValues(model.config);
    let created = existing;
    try {
      created ??= await api.create(model.config);
    } catch (error) {
      if (!model.resolved) { // a broken link: say why, then open the default lesson rather than nothing
        toast(error.message);
        model.config = { preset: "xor" };
        created = await api.create(model.config);
      } else {
        throw error;
      }
    }
    model.run.adopt(created);
    model.run.restParams = created.n_params > BIG_NET ? { format: "compact", fields: restFields() } : {};
    model.runId = created.id;
    model.resolved = created.config;
    model.nParams = created.n_params;
    const twoD = created.config.dataset !== "digits"
      && (created.config.dataset !== "custom" || created.config.data.x[0].length === 2);
    model.data = await api.data(model.runId, "train", twoD ? 2000 : 1);
    if (model.data.input_shape.length === 2 && !new URLSearchParams(location.search).has("sample")) {
      model.page.sample = "0"; // an image: show one real digit, not the blur of a batch mean
    }
    emit("run");
    renderLessons($("lesson"), model.meta, model.config.preset);
    renderControls($("controls"), model.meta, model.resolved, changeField);
    await compare.start(model.config, compare.overrides);
    showCompare();
    if (targetStep > 0) await model.run.jump(targetStep);
    else await model.run.load();
    $("data-tools").hidden = !(model.data.x && model.data.x[0]?.length === 2);
  });
}

function showCompare() {
  $("stage-canvases").classList.toggle("split", compare.active);
  $("label-a").hidden = $("label-b").hidden = !compare.active;
  $("network-b").hidden = !compare.active;
  $("network-b").parentElement.hidden = !compare.active;
  network.invalidate();
}

function startCompare(suggestion) {
  $("compare-menu").hidden = true;
  if (suggestion?.a) model.config = { ...model.config, ...suggestion.a };
  compare.overrides = suggestion ? { ...suggestion.b } : {};
  Object.assign(model.page, { step: 0, phase: "", sel: "" });
  newRun(0);
}

function changeField(field, value) {
  changeFields({ [field]: value });
}

function changeFields(fields) {
  model.config = { ...model.config, ...fields };
  if (fields.dataset && fields.dataset !== "custom") delete model.config.data;
  Object.assign(model.page, { step: 0, phase: "", sel: "", sample: "mean" });
  const before = model.resolved;
  newRun(0).then(() => {
    if (model.resolved === before) { // refused: the control goes back to what runs
      for (const field of Object.keys(fields)) delete model.config[field];
      renderControls($("controls"), model.meta, model.resolved, changeField);
    }
  });
}

/** New data restarts the run: say so, and offer the way back to the old data at the old step. */
function changeData(data) {
  const before = { config: { ...model.config }, page: { ...model.page } };
  changeFields({ dataset: "custom", data });
  toast(t(before.page.step > 0 ? "data.restarted_from" : "data.restarted", { step: before.page.step }), {
    label: t("data.undo"),
    run: () => {
      model.config = before.config;
      Object.assign(model.page, before.page);
      newRun(before.page.step);
    },
  });
}

function wire() {
  $("lesson").addEventListener("change", () => {
    if (!$("lesson").value) return;
    model.config = { preset: $("lesson").value };
    Object.assign(model.page, { step: 0, phase: "", sel: "", sample: "mean" });
    useLessonView(currentPreset()?.view, model.page, null);
    newRun(0);
  });
  $("lang").addEventListener("change", () => busy(async () => {
    model.page.lang = $("lang").value;
    await loadLanguage(model.page.lang);
    translate();
    emit("page", { lang: model.page.lang }); // the plots redraw their legends and captions
  }));
  $("btn-compare").addEventListener("click", () => {
    const box = $("compare-menu");
    box.hidden = !box.hidden;
  });
  for (const suggestion of SUGGESTIONS) {
    const b = document.createElement("button");
    b.dataset.i18n = suggestion.label;
    b.textContent = t(suggestion.label);
    b.addEventListener("click", () => startCompare(suggestion));
    $("compare-menu").append(b);
  }
  const off = document.createElement("button");
  off.textContent = t("compare.off");
  off.dataset.i18n = "compare.off";
  off.addEventListener("click", () => startCompare(null));
  $("compare-menu").append(off);
  bindDataEditing({
    plot: $("plot-boundary"),
    maxRows: model.meta.limits.max_custom_rows,
    maxBytes: model.meta.limits.max_body_bytes, // the data travel as a request body
    toast,
    data: () => (model.data?.x && model.data.x[0]?.length === 2 ? { x: model.data.x, y: model.data.y } : null),
    setData: changeData,
  });
  bindShare({
    query: pageQuery,
    runId: () => model.runId,
    imported: (run) => { // the imported run, with its weights, becomes the page's config
      const defaults = model.meta.defaults;
      model.config = Object.fromEntries(Object.entries(run.config)
        .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k])));
      Object.assign(model.page, { step: 0, phase: "", sel: "" });
      newRun(0, run);
    },
  });
}

start().catch((error) => { console.error(error); toast(error.message); });
