// The numbers around the network: step counter, epoch and learning rate, phase, loss, the
// flags, the view, scale and speed switches, the sample menu and the phase timeline. A view of the
// page model: it subscribes to "state" and "page" and draws; changes go back through setPage.
import { t } from "./i18n.js";
import { fmt, model, on, revealed } from "./store.js";
import { keepingFocus } from "./focuskeep.js";
import { phaseTitle, renderTimeline } from "./timeline.js";

const $ = (id) => document.getElementById(id);

/** Frames come 40 times a second and most of what this view shows stays the same: a write only
 * when it changes, as a rewrite of the same words still makes the page lay itself out again. */
function setText(el, text) { if (el.textContent !== text) el.textContent = text; }
function setAttr(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }
function setValue(el, value) { if (el.value !== value) el.value = value; }

export function mountStatus(setPage) {
  let timelineKey = "";
  const draw = () => {
    const st = model.state;
    if (!st) return;
    const page = model.page;
    const key = `${st.layers.length}|${page.phase}|${page.lang}`;
    if (key !== timelineKey) { // rebuilt only when it changes, not on every streamed frame
      timelineKey = key;
      keepingFocus($("timeline"), () => renderTimeline($("timeline"), st.layers.length, page.phase, (phase) => setPage({ phase })));
    }
    if (document.activeElement !== $("step-input")) setValue($("step-input"), String(st.step)); // not under the typing
    const epoch = t("epoch.label", { epoch: st.epoch, lr: fmt.num(st.lr, 3) });
    setText($("epoch-label"), epoch);
    setText($("epoch-foot"), epoch); // a phone's one-row header has no room for it: under the network
    // a screen reader hears the step it is at (the field's value is no text a live region reads),
    // at rest: not forty times a second while playing
    if (!model.playing) setText($("step-said"), `${t("step.said", { step: st.step })} · ${epoch}`);
    const title = phaseTitle(page.phase);
    setText($("phase-chip"), title);
    setAttr($("phase-chip"), "title", title);
    const shown = revealed(st.layers.length, page.phase);
    setText($("loss-value"), shown.loss ? fmt.num(st.loss + st.penalty, 6) : "…");
    // the share of all training rows classified right (the lessons quote it: dying ReLUs' 90%),
    // when it was measured at this step: a big net's is measured every so many steps, and its
    // digit lab says which (a number of another step would sit beside this step's loss). Like
    // the loss, from the loss phase on: it reads the outputs, which a forward phase is yet to reach.
    const accuracy = st.metrics?.at_step === st.step && shown.loss ? st.metrics.train_accuracy : null;
    if ($("accuracy-stat").hidden !== (accuracy == null)) $("accuracy-stat").hidden = accuracy == null;
    if (accuracy != null) setText($("accuracy-value"), `${(100 * accuracy).toFixed(1)}%`);
    if ($("diverged").hidden !== !st.diverged) $("diverged").hidden = !st.diverged;
    if (st.diverged) setText($("diverged"), t("diverged.at", { step: st.diverged_at ?? st.step }));
    const clipped = st.clipped && shown.update; // the whole gradient's norm: known once it is all computed
    if ($("clipped").hidden !== !clipped) $("clipped").hidden = !clipped;
    for (const b of $("view-mode").querySelectorAll("button")) setAttr(b, "aria-checked", String(b.dataset.view === page.view));
    setValue($("scale"), page.scale);
    drawSpeedSelect(page.speed); // a lesson picked in the menu brings its own speed
    drawSampleSelect(st);
  };
  $("sample").addEventListener("change", () => setPage({ sample: $("sample").value }));
  $("scale").addEventListener("change", () => setPage({ scale: $("scale").value }));
  for (const b of $("view-mode").querySelectorAll("button")) b.addEventListener("click", () => setPage({ view: b.dataset.view }));
  on("state", draw);
  on("page", (changes) => { if ("lang" in (changes ?? {})) timelineKey = ""; draw(); });
}

/** The menu shows the speed played: a speed the menu lacks (`?speed=7`) becomes an option in
 * its place among the others, as a sample picked in the shares chart does in the sample menu. */
function drawSpeedSelect(speed) {
  const select = $("speed");
  const value = String(speed);
  if (Number.isInteger(speed) && speed > 0 && ![...select.options].some((o) => o.value === value)) {
    const after = [...select.options].find((o) => Number(o.value) > speed) ?? null;
    select.add(new Option(`${speed}×`, value), after);
  }
  setValue(select, value);
}

function drawSampleSelect(st) {
  const select = $("sample");
  const B = st.batch.index.length;
  if (select.options.length !== Math.min(B, 64) + 1 || select.dataset.lang !== model.page.lang) { // words of the page's language
    select.dataset.lang = model.page.lang;
    select.replaceChildren(new Option(t("sample.mean"), "mean"));
    for (let s = 0; s < Math.min(B, 64); s++) select.append(new Option(t("sample.n", { s }), String(s)));
  }
  setValue(select, model.page.sample);
  const s = Number(model.page.sample);
  if (Number.isInteger(s) && s >= 64 && s < B && select.value !== model.page.sample) { // picked in the shares chart
    select.append(new Option(t("sample.n", { s }), String(s)));
    select.value = model.page.sample;
  }
  if (select.value !== model.page.sample) { model.page.sample = "mean"; select.value = "mean"; }
}
