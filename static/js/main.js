// The page's start and its actions: URL -> run -> model. Views subscribe to the model
// (store.js events) and draw it; they never talk to each other. A new panel is a new file
// that subscribes to "state", "page", "history" or "run" — nothing here to wire through.
import { api } from "./api.js";
import { applyTranslations, loadLanguage, pickLanguage, t } from "./i18n.js";
import { bindKeys, renderHelp } from "./keys.js";
import { closeDialog, openDialog, trapFocus } from "./dialog.js";
import { mountShape } from "./shape.js";
import { renderControls, renderLessons } from "./controls.js";
import { mountNetwork } from "./networkpanel.js";
import { mountDigitLab } from "./digits.js";
import { mountPlots } from "./plotsview.js";
import { mountCatchUp } from "./catchup.js";
import { busy } from "./busy.js";
import { toast } from "./toast.js";
import { BIG_NET, emit, model, on, phases } from "./store.js";
import { RunModel } from "./run.js";
import { mountStatus } from "./status.js";
import { mountWeightsTable } from "./weightstable.js";
import { mountInspector } from "./inspectpanel.js";
import { Compare, compareQuery, readCompare, SUGGESTIONS } from "./compare.js";
import { bindDataEditing } from "./dataedit.js";
import { bindShare } from "./share.js";
import { buildQuery, readUrl, useLessonView, useMeta, writeUrl } from "./urlstate.js";
import { hook } from "./testhook.js";
import { mountQuiz } from "./quiz.js";
import { mountWhy } from "./why.js";
import { mountTour } from "./tour.js";
import { mountHealth } from "./healthview.js";
import { mountNodeMarks } from "./nodemarks.js";

const $ = (id) => document.getElementById(id);
const STREAM_RATE = 40; // states a second while playing; the canvas draws at the display's rate
// While a big net plays, frames carry what the view draws: the edges' matrix, activations and δ.
const STREAM_FIELDS = "step,epoch,lr,loss,penalty,diverged,grad_norm,clipped,metrics,batch,layers.activation,"
  + "layers.a,layers.delta,layers.grad_norm";
const VIEW_FIELD = { weights: "layers.W", gradients: "layers.dW", applied: "layers.dW_applied" };

const icon = (d) => `<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="${d}"/></svg>`;
const PLAY_ICON = icon("M7 4v16l13-8z");
const PAUSE_ICON = icon("M6 4h4v16H6zM14 4h4v16h-4z");
// What the browser tests read (testhook.js); a plain object nobody sees when none asked.
const bpx = hook ? Object.assign(hook, { model }) : {};
let network;
let compare = null; // run B of compare mode
let quiz = null; // quiz mode: a question before each phase

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
  applyLook();
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
    $("btn-play").innerHTML = e.detail ? PAUSE_ICON : PLAY_ICON;
    $("btn-play").setAttribute("aria-pressed", String(e.detail));
    emit("playing", e.detail);
  });
}

function mountViews() {
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
    if (!streamed) writeUrl(model.config, model.page, compareQuery(compare.overrides));
    if (!streamed && compare.active) compare.follow(state.step, model.page, model.data?.input_shape);
    bpx.step = state.step;
    bpx.runId = model.runId;
    bpx.rendered = (bpx.rendered || 0) + 1;
    if (bpx.firstRender === undefined) bpx.firstRender = performance.now(); // ms since navigation: the first meaningful paint
  });
  on("page", () => { if (!model.playing) writeUrl(model.config, model.page, compareQuery(compare.overrides)); });
  quiz = mountQuiz($("coach"), $("btn-quiz"), { setPage, busy, jump });
  mountTour($("tour"), $("btn-tour"), { setPage, busy });
  mountCatchUp();
  on("catchup", (states) => { // while playing, run B follows twice a second
    if (compare.active) busy(() => compare.follow(states.at(-1).step, model.page, model.data?.input_shape));
  });
  mountPlots();
}

function applyLook() {
  document.documentElement.dataset.theme = model.page.theme;
  document.documentElement.dataset.palette = model.page.palette;
  $("btn-palette").setAttribute("aria-pressed", String(model.page.palette === "cb"));
  $("speed").value = String(model.page.speed);
}

function translate() {
  applyTranslations();
  renderHelp($("help-keys"));
  $("help").querySelector("p").textContent = t("help.legend");
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

// -- actions ---------------------------------------------------------------------------------------------

function setPage(changes) {
  Object.assign(model.page, changes);
  if ("view" in changes && model.playing && model.nParams > BIG_NET) { model.run.pauseNow(); play(); } // other fields
  if ("theme" in changes || "palette" in changes) { applyLook(); network.invalidate(); }
  emit("page", changes);
}

function step(n) {
  model.page.phase = "";
  return busy(() => model.run.step(n));
}

async function nextPhase() {
  if (quiz.holds()) return; // in quiz mode a phase is revealed by answering its question
  const list = phases(model.state.layers.length);
  const at = list.indexOf(model.page.phase);
  if (model.page.phase === "update") { // the update happens: on to the next step's first phase
    model.page.phase = list[0];
    await busy(() => model.run.step(1));
    return;
  }
  setPage({ phase: model.page.phase === "" ? list[0] : list[at + 1] });
}

async function epoch() {
  const rows = model.data.total;
  const size = model.resolved.batch_size === 0 ? rows : Math.min(model.resolved.batch_size, rows);
  await step(Math.ceil(rows / size));
}

function reset() {
  model.page.phase = "";
  return busy(() => model.run.reset());
}

function jump(target) {
  if (!Number.isInteger(target) || target < 0) return undefined;
  model.page.phase = "";
  return busy(() => model.run.jump(target));
}

/** `g`: an empty field for the step to jump to (the current step stays visible as its placeholder),
 * so that typing 500 means 500 and not the current step with 500 appended. */
function openJump() {
  const input = $("step-input");
  input.placeholder = String(model.state?.step ?? "");
  input.value = "";
  input.focus();
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

function play() {
  if (model.playing) { busy(() => model.run.pause()); return; }
  if (!model.state) return;
  model.page.phase = "";
  const big = model.nParams > BIG_NET;
  model.run.play({ rate: STREAM_RATE, stepsPerFrame: model.page.speed,
    params: big ? { fields: `${STREAM_FIELDS},layers.W,${VIEW_FIELD[model.page.view]}`, format: "compact" } : {} });
}

async function copyLink() {
  writeUrl(model.config, model.page, compareQuery(compare.overrides));
  bpx.copied = location.href;
  try { // the clipboard can refuse (no permission) or never answer (headless): do not wait on it forever
    await Promise.race([navigator.clipboard.writeText(location.href),
                        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 1500))]);
    toast(t("toast.copied"));
  } catch {
    toast(location.href);
  }
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
  $("btn-step").addEventListener("click", () => step(1));
  $("btn-phase").addEventListener("click", nextPhase);
  $("btn-epoch").addEventListener("click", epoch);
  $("btn-reset").addEventListener("click", reset);
  $("btn-play").addEventListener("click", play);
  $("btn-copy").addEventListener("click", copyLink);
  $("btn-more").addEventListener("click", () => { // a phone's header: one row until asked for the rest
    const open = $("topbar").classList.toggle("open");
    $("btn-more").setAttribute("aria-expanded", String(open));
  });
  $("btn-help").addEventListener("click", () => openDialog($("help"), $("help-close")));
  $("help-close").addEventListener("click", () => closeDialog($("help")));
  trapFocus($("help"));
  $("btn-theme").addEventListener("click", () => setPage({ theme: model.page.theme === "dark" ? "light" : "dark" }));
  $("btn-palette").addEventListener("click", () => setPage({ palette: model.page.palette === "cb" ? "default" : "cb" }));
  $("speed").addEventListener("change", () => {
    const playing = model.playing;
    if (playing) model.run.pauseNow();
    setPage({ speed: Number($("speed").value) });
    if (playing) play();
  });
  $("step-input").addEventListener("change", () => {
    const target = Number.parseInt($("step-input").value, 10);
    $("step-input").blur(); // back to the keyboard shortcuts
    jump(target);
  });
  $("step-input").addEventListener("keydown", (e) => { if (e.key === "Escape") $("step-input").blur(); });
  $("step-input").addEventListener("blur", () => { if (model.state) $("step-input").value = model.state.step; });
  $("sample").addEventListener("change", () => setPage({ sample: $("sample").value }));
  $("scale").addEventListener("change", () => setPage({ scale: $("scale").value }));
  for (const b of $("view-mode").querySelectorAll("button")) b.addEventListener("click", () => setPage({ view: b.dataset.view }));
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
    query: () => [buildQuery(model.config, model.page), ...compareQuery(compare.overrides).map(([k, v]) =>
      `${k}=${encodeURIComponent(v)}`)].filter(Boolean).join("&"),
    runId: () => model.runId,
    imported: (run) => { // the imported run, with its weights, becomes the page's config
      const defaults = model.meta.defaults;
      model.config = Object.fromEntries(Object.entries(run.config)
        .filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k])));
      Object.assign(model.page, { step: 0, phase: "", sel: "" });
      newRun(0, run);
    },
  });
  bindKeys((action) => {
    if (action === "play") play();
    else if (action === "phase") nextPhase();
    else if (action === "step") step(1);
    else if (action === "epoch") epoch();
    else if (action === "reset") reset();
    else if (action === "copy") copyLink();
    else if (action === "jump") openJump();
    else if (action === "help") { if ($("help").hidden) openDialog($("help"), $("help-close")); else closeDialog($("help")); }
    else if (action === "escape") { if (model.page.sel) setPage({ sel: "" }); }
    else if (action.startsWith("view:")) setPage({ view: action.slice(5) });
  });
}

start().catch((error) => { console.error(error); toast(error.message); });
