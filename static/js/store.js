// The page's model: one object and a tiny pub-sub (EventTarget), no framework. The run's
// numbers live in a RunModel (run.js); the page (step, phase, selection, view, …) here.
// Views subscribe to the events they draw and never talk to each other:
//   "state"   (detail: {state, streamed}) a new State is shown
//   "history" (detail: rows appended, or null when the whole history changed)
//   "page"    (detail: the page fields that changed)
//   "run"     a new run (config, data; in compare mode run B too) replaced the old one
//   "config"  (detail: the fields) the server refused a change: the settings are what runs again
//   "playing" (detail: true | false)
//   "highlight" (detail: {nodes, edges} or null) what a quiz answer or a tour card is about
//   "hover-highlight" (detail: {nodes, edges} or null) an inspector term under the pointer
//   "sideplots" the throttled turn of the extra requests (after a step or a new run, and twice
//               a second while playing): views that fetch their own numbers do so now
//   "health"  (detail: GET …/neurons) which hidden neurons are dead or saturated
//   "catchup" (detail: the States streamed since the last one) twice a second while playing:
//             the views too slow to draw every frame catch up (catchup.js)
//   "compare-history" compare mode's run B has new history (its curves are drawn beside A's)
//   "compare-state" compare mode's run B has drawn a new State (the legend names its scale)

import { formatNumber } from "./numbers.js";

export const bus = new EventTarget();

/** Parameters above which States come as compact frames (app/frames.py) and the costly views
 * wait for a pause. */
export const BIG_NET = 2000;

export const model = {
  meta: null,        // GET /api/v1/meta
  config: {},        // sparse fields from the URL / controls (what a link carries)
  resolved: null,    // the full config the server resolved
  page: {},          // step, phase, sel, view, sample, scale, palette, theme, lang, speed
  run: null,         // the RunModel of run A (run.js)
  compare: null,     // compare mode's run B (compare.js Compare), which follows run A's step
  runId: null,
  nParams: 0,
  state: null,       // the State at model.state.step
  history: null,
  data: null,        // first page of training rows (2-D sets), with totals
  playing: false,
};

export function emit(name, detail) { bus.dispatchEvent(new CustomEvent(name, { detail })); }
export function on(name, handler) { bus.addEventListener(name, (event) => handler(event.detail)); }

/** Run A of the page (run.js): its events become the model's, so that views subscribe to the
 * model and never to a run. */
export function useRun(run) {
  model.run = run;
  run.addEventListener("state", (e) => {
    model.state = e.detail.state;
    model.page.step = e.detail.state.step;
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
  run.addEventListener("ended", (e) => emit("ended", e.detail));
}

/** Change what the page shows (step, phase, sel, view, theme, …): every view subscribed to
 * "page" redraws from the model. */
export function setPage(changes) {
  Object.assign(model.page, changes);
  emit("page", changes);
}

/** Phases of one step: forward:0 … loss … backward:0, update, as the server lists them (engine/phases.py). */
export function phases(nLayers) {
  return model.meta.phases.by_layers[nLayers];
}

/** What the current phase reveals. phase "" shows everything. */
export function revealed(nLayers, phase) {
  const list = phases(nLayers);
  const at = phase === "" ? list.length : list.indexOf(phase);
  const seen = (name) => phase === "" || list.indexOf(name) <= at;
  return {
    index: at,
    forward: (l) => seen(`forward:${l}`),
    loss: seen("loss"),
    backward: (l) => seen(`backward:${l}`),
    update: seen("update"),
    active: phase,
  };
}

export const fmt = {
  num(v, digits = 4) { return formatNumber(v, digits); }, // NaN, ∞ and −∞ as themselves
  signed(v, digits = 4) { return v > 0 ? `+${fmt.num(v, digits)}` : fmt.num(v, digits); },
};
