// Who pulls this weight: each batch sample's share δ_s·a_s/B of ∂L/∂w as a sorted bar
// chart (GET /runs/{id}/shares), the mean share dashed. A share below 0 pushes the weight
// up (the update moves it against ∂L/∂w), so those bars take the "up" colour of the
// network's arrows. A click on a bar selects that sample everywhere; for images, the
// samples pushing hardest each way are shown as pictures under the chart.
import { t } from "./i18n.js";
import { drawGray } from "./images.js";
import { CONFIG, layout, readyAfter, sayInPlot, theme, wrap } from "./plots.js";
import { fmt } from "./store.js";

export class SharesView {
  /** onPick(s): the student picked batch sample s. */
  constructor(el, imagesEl, onPick) {
    this.el = el;
    this.imagesEl = imagesEl;
    this.onPick = onPick;
    this.bound = false;
  }

  async render(data, state, inputShape, sample) {
    const Plotly = await readyAfter;
    this.renderImages(data, state, inputShape, Number(sample)); // first: the chart takes the room left
    const c = theme();
    const order = data.order;
    const shares = order.map((s) => data.shares[s]);
    const picked = sample === "mean" ? -1 : Number(sample);
    const colors = order.map((s, k) => (s === picked ? c.accent : shares[k] < 0 ? c.pos : c.neg));
    const name = data.j === null ? `b${data.layer}[${data.i}]` : `W${data.layer}[${data.i}][${data.j}]`;
    const hover = order.map((s, k) => t("why.shares_hover", { s, row: data.rows[s], v: fmt.num(shares[k], 4) }));
    const mean = data.mean ?? 0;
    const at = Number.isFinite(mean); // a diverged run's NaN mean has no place on the axis: say it, above
    // the bars add up to the data's part: an L1/L2 penalty adds its own, which may turn the sign;
    // wrapped to the chart's width (a phone's cut it off), the margin above grown to fit
    const title = wrap(`${name} · ∂L/∂w = ${fmt.num(data.gradient, 4)}${data.penalty ? t("why.shares_penalty", {
      data: fmt.num(data.gradient - data.penalty, 4), p: fmt.num(data.penalty, 4) }) : ""}`, Math.floor(this.el.clientWidth / 6));
    const lines = title.split("<br>").length;
    await Plotly.react(this.el, [{
      type: "bar", x: order.map((s) => `#${s}`), y: shares, customdata: order, marker: { color: colors },
      hovertext: hover, hoverinfo: "text", name,
    }], layout({
      showlegend: false, bargap: order.length > 60 ? 0 : 0.15, margin: { l: 52, r: 8, t: 6 + 12 * lines, b: 26 },
      xaxis: { ...layout().xaxis, title: { text: t("why.shares_x"), standoff: 2 }, type: "category",
               showticklabels: order.length <= 32, tickfont: { size: 9 }, fixedrange: true },
      yaxis: { ...layout().yaxis, exponentformat: "e", fixedrange: true },
      shapes: at ? [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: mean, y1: mean, line: { color: c.fg, dash: "dash", width: 1 } }] : [],
      annotations: [
        // at the left, over the most negative bars, which hang below 0 (at the right it sat on the
        // tallest ones); on the paper's colour where a bar runs under it
        { text: t("why.shares_mean", { v: fmt.num(mean, 3) }), xref: "paper", x: 0, y: at ? mean : 1,
          yref: at ? "y" : "paper", xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 10, color: c.fg },
          bgcolor: c.paper },
        { text: title, align: "left", xref: "paper", yref: "paper", x: 0, y: 1,
          xanchor: "left", yanchor: "bottom", showarrow: false, font: { size: 10, color: c.text } },
      ],
    }), CONFIG);
    this.order = order;
    if (!this.bound) { // a click anywhere in a bar's column picks it (thin bars are hard to hit)
      this.bound = true;
      this.el.addEventListener("click", (event) => {
        const axis = this.el._fullLayout?.xaxis;
        const box = this.el.querySelector(".nsewdrag")?.getBoundingClientRect();
        if (!axis || !box || event.clientX < box.left || event.clientX > box.right) return;
        const k = Math.round(axis.p2c(event.clientX - box.left));
        if (k >= 0 && k < this.order.length) this.onPick(this.order[k]);
      });
    }
  }

  /** The digits pushing the weight hardest up and down (image inputs only). */
  renderImages(data, state, inputShape, picked) {
    const box = this.imagesEl;
    box.replaceChildren();
    const xs = state?.batch?.x;
    box.hidden = !(inputShape?.length === 2 && xs);
    if (box.hidden) return;
    const [h, w] = inputShape;
    for (const [key, samples] of [["why.pushes_up", data.pushes_up], ["why.pushes_down", data.pushes_down]]) {
      const row = document.createElement("div");
      row.className = "why-row";
      const label = document.createElement("span");
      label.className = `muted why-label ${key.endsWith("up") ? "nudge-pos" : "nudge-neg"}`;
      label.textContent = t(key);
      row.append(label);
      for (const s of samples.slice(0, 6)) {
        const button = document.createElement("button");
        button.className = `why-thumb${s === picked ? " picked" : ""}`;
        button.title = t("why.sample_title", { s, row: data.rows[s], v: fmt.num(data.shares[s], 3) });
        button.setAttribute("aria-label", button.title);
        const canvas = document.createElement("canvas");
        drawGray(canvas, xs[s], w, h);
        button.append(canvas);
        button.addEventListener("click", () => this.onPick(s));
        row.append(button);
      }
      box.append(row);
    }
  }

  async message(text) {
    const Plotly = await readyAfter;
    this.imagesEl.hidden = true;
    await sayInPlot(Plotly, this.el, text);
  }
}
