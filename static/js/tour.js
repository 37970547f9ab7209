// The guided tour: a lesson's cards (engine/lessons/<name>.json "tour"), one at a time, each a
// formula with the live numbers, its neurons and edges lit on the network, Back and Next, and
// beside it the plain NumPy that computes the quantity (engine/reference.py, GET /api/v1/code).
// The card shown is in the URL (tour=<card number>), so a link opens the same card.
import { language, t } from "./i18n.js";
import { api } from "./api.js";
import { emit, fmt, model, on } from "./store.js";
import { decodeExact } from "./frames.js";
import { cardAsks, fillCard } from "./tourlogic.js";
import { expose } from "./testhook.js";
import { esc } from "./html.js";
import { keepingFocus } from "./focuskeep.js";


const FORWARD = "[data-act=next], [data-act=close]"; // the card's way on: Next, on the last card Finish

export class Tour {
  /** `host` has {model, setPage}: the glue's verbs. */
  constructor(el, button, host) {
    this.el = el;
    this.button = button;
    this.host = host;
    this.code = null; // quantity -> source lines, fetched once
    this.shownKey = "";
    button.addEventListener("click", () => {
      this.focusCard = this.index === null; // opened: its first card takes the focus, as a dialog's would
      if (this.index === null) this.open(1); else this.close();
    });
  }

  get cards() {
    const { model } = this.host;
    return model.meta?.presets.find((p) => p.name === model.config.preset)?.tour ?? null;
  }

  /** The card number shown (1-based), or null when the tour is closed. */
  get index() {
    const k = Number.parseInt(this.host.model.page.tour ?? "", 10);
    const cards = this.cards;
    return cards && k >= 1 ? Math.min(k, cards.length) : null;
  }

  open(k) {
    const cards = this.cards;
    if (!cards) return;
    const filled = this.fill(cards[k - 1]);
    if (!filled) { this.host.setPage({ tour: String(k), quiz: "", sel: "" }); return; } // sync shows it
    emit("highlight", filled.highlight);
    this.applied = k;
    this.host.setPage({ tour: String(k), quiz: "", phase: filled.phase, sample: filled.sample, sel: "" });
  }

  close() {
    if (this.el.contains(document.activeElement)) this.button.focus(); // not left on a hidden card
    emit("highlight", null);
    this.host.setPage({ tour: "", phase: "" });
  }

  fill(card) {
    const { model } = this.host;
    // a big net's State is packed for drawing (frames.js): the card prints the exact numbers it
    // reads (mountTour asks for them)
    const exact = model.exact?.step === model.state.step && model.exact.runId === model.runId
      && model.exact.key === asksKey(cardAsks(model.state, card)) ? model.exact.state : null;
    // one sample's rows (app/sampled.py) do not fill a card: the exact State is on its way (mountTour)
    if (!exact && model.run && !model.run.hasSample()) return null;
    return fillCard(exact ?? model.state, card, { loss: model.resolved?.loss });
  }

  /** Called after every render of the page. */
  sync() {
    const { model } = this.host;
    const cards = this.cards;
    this.button.hidden = !cards;
    this.button.setAttribute("aria-pressed", String(this.index !== null));
    const k = this.index;
    if (k === null || !model.state) {
      // closed by another view (the quiz opening, a link): its card's neurons go dark with it
      if (!this.el.hidden) emit("highlight", null);
      this.el.hidden = true;
      this.shownKey = "";
      return;
    }
    const key = [model.runId, model.state.step, k, language(), model.config.preset].join("|");
    if (key === this.shownKey) return;
    this.shownKey = key;
    if (!this.code) {
      fetch("/api/v1/code").then((r) => r.json()).then((data) => {
        this.code = data.quantities;
        this.shownKey = "";
        this.sync();
      });
    }
    const card = this.fill(cards[k - 1]);
    if (!card) { this.shownKey = ""; return; }
    emit("highlight", card.highlight);
    if (this.applied !== k && (model.page.phase !== card.phase || model.page.sample !== card.sample)) {
      this.applied = k; // opened from a link: show what the card is about
      this.shownKey = "";
      queueMicrotask(() => this.host.setPage({ phase: card.phase, sample: card.sample }));
      return;
    }
    this.applied = k;
    this.draw(card, k, cards.length);
  }

  draw(card, k, total) {
    this.el.hidden = false;
    const vars = { ...card.title.vars, ...(card.vars ?? {}) };
    const lines = card.lines.map((parts) => `<div class="tour-line">${parts.map((p) => (typeof p === "string" ? esc(p)
      : `<span class="num" ${p.path ? `data-path="${esc(p.path)}"` : `data-sum="${esc(p.sum.join(" "))}"`} `
        + `data-value="${esc(String(p.v))}">${esc(fmt.num(p.v))}</span>`)).join("")}</div>`);
    const code = (card.code ?? []).map((q) => this.code?.[q]).filter(Boolean).join("\n\n");
    keepingFocus(this.el, () => { this.el.innerHTML = `
      <div class="tour-card">
        <div class="coach-head"><b id="tour-title">${esc(t(card.title.key, vars))}</b>
          <span class="muted num" id="tour-count">${esc(t("tour.count", { k, n: total }))}</span>
          <div class="coach-nav"><!-- first, so a long card never scrolls its buttons away -->
            <button data-act="back" data-focus="back" ${k === 1 ? "disabled" : ""}>${esc(t("tour.back"))}</button>
            ${k < total ? `<button class="primary" data-act="next" data-focus="next">${esc(t("tour.next"))}</button>`
                        : `<button class="primary" data-act="close">${esc(t("tour.finish"))}</button>`}
            <button data-act="close-x">${esc(t("tour.close"))}</button>
          </div></div>
        <p class="tour-text">${esc(t(card.text, vars))}</p>
        <div class="tour-formula" aria-label="${esc(t("tour.formula"))}">${lines.join("")}</div>
      </div>
      <figure class="tour-code"><figcaption>${esc(t("tour.code"))}</figcaption>
        <pre><code>${esc(code)}</code></pre></figure>`; }, FORWARD);
    if (this.focusCard) {
      this.focusCard = false;
      this.el.querySelector(FORWARD)?.focus();
    }
    this.el.querySelector("[data-act=back]").addEventListener("click", () => this.open(k - 1));
    this.el.querySelector("[data-act=next]")?.addEventListener("click", () => this.open(k + 1));
    for (const b of this.el.querySelectorAll("[data-act=close], [data-act=close-x]")) b.addEventListener("click", () => this.close());
  }
}

const asksKey = (asks) => (asks ? `${asks.fields}|${asks.sample}` : "whole");

/** The tour as a view of the page model: it follows every State and page change at rest. */
export function mountTour(el, button, { setPage, busy }) {
  const tour = new Tour(el, button, { model, setPage });
  expose({ tour });
  const sync = () => {
    if (model.playing) return;
    tour.sync();
    const st = model.state;
    const card = tour.index === null ? null : tour.cards[tour.index - 1];
    if (!card || !st?.approx) return;
    const asks = cardAsks(st, card); // the tour prints numbers: the exact ones of this card, once per step
    const key = asksKey(asks);
    if (model.exact?.step !== st.step || model.exact.runId !== model.runId || model.exact.key !== key) {
      const [runId, step] = [model.runId, st.step];
      model.exact = { runId, step, key, state: null };
      busy(async () => {
        const state = decodeExact(await api.state(runId, asks ?? {}));
        if (model.exact.runId === runId && model.exact.step === step && model.exact.key === key && state.step === step) {
          model.exact.state = state;
          tour.shownKey = "";
          tour.sync();
        }
      });
    }
  };
  on("state", sync);
  on("page", sync);
  return tour;
}
