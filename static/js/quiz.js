// Quiz mode: before each phase is shown, a question about it; the answer is revealed on the
// network (the phase, the neuron or edge lit up) with a one-line reason. The quiz lives in the
// URL (quiz=<from>-<to>[.<right>.<asked>.<streak>]), so a link is the same quiz at the same place.
// The questions themselves come from quizlogic.js; this file is the card and its buttons.
import { holdPhases, jump } from "./actions.js";
import { api } from "./api.js";
import { t } from "./i18n.js";
import { ask, check } from "./quizlogic.js";
import { formatQuiz, nextPhase, parseQuiz, scored } from "./quizstate.js";
import { emit, model, on, phases } from "./store.js";
import { expose } from "./testhook.js";
import { esc } from "./html.js";

export const QUIZ_STEPS = 5; // a new quiz covers this many steps from the current one
export const READY = "ready";
// What the questions read (quizlogic.js): the exact numbers of a big net come in these fields.
const QUIZ_FIELDS = "step,lr,loss,batch,layers.activation,layers.z,layers.a,layers.dL_da,layers.delta,layers.dW,layers.bn"; // the phase before forward:0: nothing of the step shown yet


export class Quiz {
  /** `host` has {model, setPage, busy, refresh, jump, stopPlaying}: the glue's few verbs. */
  constructor(el, button, host) {
    this.el = el;
    this.host = host;
    this.result = null; // {question, chosen, right} between an answer and "Next"
    this.question = null;
    this.shownKey = "";
    this.previews = new Map(); // "runId|step" -> {before, after}
    button.addEventListener("click", () => {
      this.focusCard = !this.active; // started: its first question takes the focus (14 Tabs away)
      if (this.active) this.leave(); else this.start();
    });
    this.button = button;
  }

  get quiz() { return parseQuiz(this.host.model.page.quiz); }
  get active() { return this.quiz !== null; }
  /** While a question waits for its answer, the phase it asks about stays hidden. */
  holds() { return this.active && this.question !== null && this.result === null; }

  start() {
    const { model } = this.host;
    this.host.stopPlaying();
    this.result = null;
    const from = model.state.step;
    this.host.setPage({ quiz: formatQuiz({ from, to: from + QUIZ_STEPS, right: 0, asked: 0, streak: 0 }),
                        phase: READY, sel: "", tour: "" });
  }

  leave() {
    this.result = null;
    this.question = null;
    emit("highlight", null);
    this.host.setPage({ quiz: "", phase: "" });
  }

  /** Called after every render of the page: keep the card in step with the model. */
  sync() {
    const { model } = this.host;
    this.button.setAttribute("aria-pressed", String(this.active));
    this.button.textContent = t(this.active ? "quiz.leave" : "quiz.start");
    const quiz = this.quiz;
    if (!quiz || !model.state) {
      this.el.hidden = true;
      this.el.replaceChildren();
      this.shownKey = "";
      this.question = null;
      return;
    }
    const st = model.state;
    if (st.step < quiz.from) { this.host.jump(quiz.from); return; }
    if (model.page.phase === "" && st.step < quiz.to) { // the whole step is shown: start it again, hidden
      model.page.phase = READY;
      queueMicrotask(() => this.host.setPage({}));
      return;
    }
    const list = phases(st.layers.length);
    const phase = this.result ? null : nextPhase(list, model.page.phase, st.step, quiz);
    // the palette too: the card's words name its colours ("{red}" is orange in the colour-blind one)
    const key = [model.runId, st.step, model.page.phase, model.page.quiz, model.page.lang, model.page.palette,
                 phase, this.result?.chosen].join("|");
    if (key === this.shownKey) return;
    this.shownKey = key;
    if (phase === "update" && !this.previews.has(`${model.runId}|${st.step}`)) {
      this.host.busy(() => this.loadPreview()); // the update question needs the loss after the step
      return;
    }
    const exact = phase ? this.exactState(st) : st;
    if (!exact) { this.shownKey = ""; return; } // asked for: sync runs again when it comes
    this.question = phase
      ? ask(exact, phase, { sample: model.page.sample === "mean" ? null : Number(model.page.sample),
                         preview: this.previews.get(`${model.runId}|${st.step}`) })
      : null;
    const show = this.question?.showWhileAsking;
    if (show && show !== model.page.sample) { // the row the question is about, its inputs in view
      model.page.sample = show;
      this.shownKey = "";
      queueMicrotask(() => this.host.setPage({}));
      return;
    }
    this.draw(quiz, st);
  }

  /** The State the questions are asked from: a big net's State at rest is packed for drawing,
   * with one sample's rows (app/sampled.py), and a question prints numbers and asks about any
   * sample: the exact numbers it reads, once per step (null until they come). */
  exactState(st) {
    if (!st.approx) return st;
    const { model } = this.host;
    const key = `${model.runId}|${st.step}`;
    if (this.exact?.key === key) return this.exact.state;
    this.exact = { key, state: null };
    this.host.busy(async () => {
      const state = await api.state(model.runId, { fields: QUIZ_FIELDS });
      if (this.exact?.key !== key || state.step !== st.step) return;
      this.exact.state = state;
      this.shownKey = "";
      this.sync();
    });
    return null;
  }

  async loadPreview() {
    const { model } = this.host;
    const at = `${model.runId}|${model.state.step}`;
    const response = await fetch(`/api/v1/runs/${model.runId}/preview?points=2&until=1`);
    const data = await response.json();
    if (!response.ok) throw new Error(t("quiz.no_preview"));
    this.previews.set(at, { before: data.loss[0], after: data.loss[1] });
    this.shownKey = "";
    this.sync();
  }

  draw(quiz, st) {
    this.el.hidden = false;
    const score = t("quiz.score", { right: quiz.right, asked: quiz.asked, streak: quiz.streak });
    const head = `<div class="coach-head"><b>${esc(t("quiz.title"))}</b>
      <span class="muted">${esc(t("quiz.progress", { step: st.step, from: quiz.from, last: quiz.to - 1 }))}</span>
      <span class="quiz-score num" id="quiz-score">${esc(score)}</span></div>`;
    let body;
    if (this.result) {
      const { question, right } = this.result;
      const answer = question.choices.find((c) => c.value === question.answers[0]);
      body = `<p class="quiz-verdict ${right ? "right" : "wrong"}" role="status">${esc(right ? t("quiz.right")
        : t("quiz.wrong", { answer: t(answer.key, answer.vars) }))}</p>
        <p class="quiz-reason">${esc(t(question.reason.key, question.reason.vars))}</p>
        <div class="coach-nav"><button class="primary" data-act="next">${esc(t("quiz.next"))}</button></div>`;
    } else if (this.question) {
      const q = this.question;
      body = `<p class="quiz-prompt">${esc(t(q.prompt.key, q.prompt.vars))}</p>
        <div class="quiz-choices" role="group" aria-label="${esc(t("quiz.choices"))}">${q.choices.map((c) =>
          `<button data-choice="${esc(c.value)}">${esc(t(c.key, c.vars))}</button>`).join("")}</div>`;
    } else {
      body = `<p class="quiz-done" role="status">${esc(t("quiz.done", { right: quiz.right, asked: quiz.asked }))}</p>
        <div class="coach-nav"><button data-act="leave">${esc(t("quiz.leave"))}</button></div>`;
    }
    const hadFocus = this.el.contains(document.activeElement) || this.focusCard; // "Next" pressed from the keyboard, or Quiz
    this.el.innerHTML = `${head}${body}`;
    for (const b of this.el.querySelectorAll("[data-choice]")) b.addEventListener("click", () => this.answer(b.dataset.choice));
    this.el.querySelector("[data-act=next]")?.addEventListener("click", () => this.next());
    this.el.querySelector("[data-act=leave]")?.addEventListener("click", () => this.leave());
    // the card's new buttons take the focus its old ones had (it fell to the page's body)
    if (this.question) this.focusCard = false; // once its question is there to take it
    if (hadFocus) this.el.querySelector("[data-choice], [data-act]")?.focus();
  }

  /** Score the answer, then reveal: the phase asked about, on the row or batch it was about. */
  answer(value) {
    const q = this.question;
    if (!q || this.result) return;
    const right = check(q, value);
    this.result = { question: q, chosen: value, right };
    emit("highlight", q.highlight);
    this.host.setPage({ quiz: formatQuiz(scored(this.quiz, right)), phase: q.phase, sample: q.sample });
    this.el.querySelector("[data-act=next]")?.focus();
  }

  async next() {
    const done = this.result?.question;
    this.result = null;
    emit("highlight", null);
    if (done?.phase !== "update") { this.shownKey = ""; this.host.setPage({}); return; }
    const { model } = this.host; // the update is revealed: take the step, and hide the next one
    await this.host.busy(async () => {
      await api.step(model.runId, 1, { fields: "step" });
      model.page.phase = READY;
      await this.host.refresh();
    });
    this.el.querySelector("button")?.focus();
  }
}

/** The quiz as a view of the page model, kept in step with every State and page change at rest.
 * While a question is open it holds the phases: → reveals nothing until it is answered. */
export function mountQuiz(el, button, { setPage, busy }) {
  const quiz = new Quiz(el, button, { model, setPage, busy, jump, refresh: () => model.run.resync(),
                                      stopPlaying: () => model.run.pauseNow() });
  holdPhases(() => quiz.holds());
  expose({ quiz });
  const sync = () => { if (!model.playing) quiz.sync(); };
  on("state", sync);
  on("page", sync);
  return quiz;
}
