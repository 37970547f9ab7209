// The inspector panel as a view of the page model: the lesson's words when nothing is selected,
// a neuron's z, a, δ, or an edge's chain rule (fetched once per step and selection).
import { api } from "./api.js";
import { model, on, revealed } from "./store.js";
import { parseSelection } from "./hittest.js";
import { healthHtml, neuronHealth } from "./health.js";
import { t } from "./i18n.js";
import { esc } from "./html.js";

// The tables of an edge's chain rule and a neuron's numbers come with the first selection: at
// first load the inspector shows the lesson's words (renderIdle).
let tables = null;
const loadTables = () => (tables ??= import("./inspector.js").catch((error) => { tables = null; throw error; }));

/** The lesson's words, or a hint, when nothing is selected. */
function renderIdle(el, preset) {
  el.innerHTML = `
    <h2>${preset ? esc(t(preset.texts.title)) : esc(t("inspector.custom"))}</h2>
    ${preset ? `<p class="watch" id="watch">${esc(t(preset.texts.watch))}</p>` : ""}
    <p class="muted">${esc(t(matchMedia("(pointer: coarse)").matches ? "inspector.hint_touch" : "inspector.hint"))}</p>`;
}

/** Above a selected weight or neuron, the lesson's words folded under its title: open when the
 * selection is the one the lesson opens with (the chain-rule lesson's weight, batch norm's
 * neuron: else their words were nowhere on the page), as the student left them after. */
let wordsOpen = null; // the student's own choice, for this run; null: as the lesson opens

function renderLessonWords(el, preset) {
  if (!preset) return;
  const open = wordsOpen ?? (preset.view?.sel === model.page.sel);
  el.insertAdjacentHTML("afterbegin", `<details class="lesson-words"${open ? " open" : ""}>
    <summary>${esc(t(preset.texts.title))}</summary><p class="watch">${esc(t(preset.texts.watch))}</p></details>`);
  const words = el.querySelector(".lesson-words"); // a click on its title (a key too) opens or folds it
  words.querySelector("summary").addEventListener("click", () => { wordsOpen = !words.open; });
}

/** Dead and saturated neurons: the selected neuron's lines under its numbers. */
function renderHealth(el) {
  const sel = parseSelection(model.page.sel);
  const batchNorm = Boolean(sel && model.state?.layers[sel.col - 1]?.bn);
  const facts = sel?.kind === "n" && model.health ? neuronHealth(model.health, sel.col, sel.i, batchNorm) : null;
  el.querySelector("#neuron-health")?.remove();
  if (facts && model.health.step === model.state.step) el.insertAdjacentHTML("beforeend", healthHtml(facts, t));
}

const NODE_FIELDS = "step,batch,layers.activation,layers.b,layers.z,layers.a,layers.dL_da,layers.delta,layers.db,layers.bn";

export function mountInspector(el, busy) {
  let shown = ""; // the step, selection and sample drawn: the same answer is never asked twice
  let shownState = null; // ...unless a new State came for the same step (a pause settles on the frame shown)
  let ticket = 0; // the latest draw: an answer to an older one is dropped
  const draw = async () => {
    const st = model.state;
    if (!st || model.playing) return;
    const preset = model.meta.presets.find((p) => p.name === model.config.preset) ?? null;
    const key = `${model.runId}|${st.step}|${model.page.sel}|${model.page.sample}|${model.page.phase}|${model.page.lang}`;
    if (key === shown && st === shownState) return;
    shown = key;
    shownState = st;
    const mine = ++ticket;
    const sel = parseSelection(model.page.sel);
    if (!sel) { renderIdle(el, preset); return; }
    if (sel.kind === "n") {
      const width = sel.col === 0 ? st.layers[0].W[0].length : st.layers[sel.col - 1]?.W.length;
      if (sel.col > st.layers.length || sel.i >= width) { renderIdle(el, preset); return; }
      // A big net's State is packed for drawing (frames.js): the exact numbers, one request away.
      const [exact, { renderNode }] = await busy(() => Promise.all([
        st.approx ? api.state(model.runId, { fields: NODE_FIELDS }) : st, loadTables()])) ?? [];
      if (!exact || mine !== ticket) return;
      if (exact.step !== st.step) { shown = ""; return; } // see below
      renderNode(el, { ...st, ...exact }, sel.col, sel.i, revealed(st.layers.length, model.page.phase),
                 model.page.sample === "mean" ? null : Number(model.page.sample));
      renderLessonWords(el, preset);
      renderHealth(el);
      return;
    }
    const into = st.layers[sel.l]?.W;
    if (!into || sel.i >= into.length || sel.j >= into[0].length) { renderIdle(el, preset); return; } // e:9:9:9 on a small net
    const [chain, { renderEdge }] = await busy(() => Promise.all([api.chain(model.runId, sel.l, sel.i, sel.j), loadTables()])) ?? [];
    // Answered at another step than the one shown (a stream that stopped on the page still
    // stepped on the server until the pause reached it): nothing drawn; the State the pause
    // settles on draws again, though its step may be the one of the frame shown.
    if (!chain || mine !== ticket) return;
    if (chain.step !== st.step) { shown = ""; return; }
    const s = model.page.sample === "mean" ? null : Number(model.page.sample);
    renderEdge(el, chain, model.state, s, revealed(model.state.layers.length, model.page.phase));
    renderLessonWords(el, preset);
  };
  on("state", draw);
  on("page", draw);
  on("playing", draw);
  on("run", () => { shown = ""; wordsOpen = null; });
  on("health", () => renderHealth(el));
  // a window made narrower or wider: fold again (no tables drawn yet: nothing to fold)
  new ResizeObserver(() => tables?.then(({ foldWide }) => foldWide(el), () => {})).observe(el);
}
