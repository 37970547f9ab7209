// The loss surface around the current point for two parameters p, q (GET /runs/{id}/surface):
// contours of the batch loss over the grid, the point we are at, the path of the last steps,
// the direction of steepest descent −∇ (drawn at a fixed length: its size is in the hover)
// and the step the optimizer is about to take (to scale). Every other parameter is held
// where it is, so the path is a projection: the surface itself moved as they did.
import { t } from "./i18n.js";
import { CONFIG, layout, readyAfter, sayInPlot, theme } from "./plots.js";
import { fmt } from "./store.js";

export class SurfaceView {
  constructor(el) { this.el = el; }

  async render(s) {
    const Plotly = await readyAfter;
    const c = theme();
    const [p, q] = s.parameters;
    const [cx, cy] = s.centre;
    const finite = s.loss.flat().filter(Number.isFinite); // a diverging corner is NaN or ∞: left blank
    const positive = finite.length > 0 && finite.every((v) => v > 0);
    // log10 when every value is positive: a bowl's floor and its walls both get contours
    const z = s.loss.map((row) => row.map((v) => (!Number.isFinite(v) ? null : positive ? Math.log10(v) : v)));
    const hover = s.loss.map((row, r) => row.map((v, k) =>
      `${p} = ${fmt.num(s.first[k], 4)}<br>${q} = ${fmt.num(s.second[r], 4)}<br>L = ${fmt.num(v, 5)}`));
    const traces = [
      { type: "contour", x: s.first, y: s.second, z, text: hover, hoverinfo: "text", showscale: false, ncontours: 16,
        colorscale: [[0, c.paper], [0.5, c.pos], [1, c.fg]], contours: { coloring: "heatmap", showlines: true },
        line: { color: c.grid, width: 0.6 }, opacity: 0.9, name: "L" },
      { type: "scatter", mode: "lines+markers", x: s.path.map((v) => v[0]), y: s.path.map((v) => v[1]),
        line: { color: c.accent, width: 1.5 }, marker: { size: 4, color: c.accent }, name: t("why.path"),
        hoverinfo: "skip" },
      { type: "scatter", mode: "markers", x: [cx], y: [cy], marker: { size: 9, color: c.accent, line: { color: c.fg, width: 1 } },
        name: t("why.here"), hovertext: [`L = ${fmt.num(s.loss_at_centre, 6)}`], hoverinfo: "text" },
    ];
    const annotations = [];
    const [gx, gy] = s.gradient;
    const norm = Math.hypot(gx, gy);
    if (Number.isFinite(norm) && norm > 0) { // −∇ at a third of the radius: a direction, not a distance
      const k = (0.33 * s.radius) / norm;
      annotations.push(...arrow(cx, cy, cx - k * gx, cy - k * gy, c.fg, "−∇L"));
    }
    const [ux, uy] = s.update;
    if (Number.isFinite(ux) && Number.isFinite(uy) && Math.hypot(ux, uy) > 1e-3 * s.radius) {
      annotations.push(...arrow(cx, cy, cx + ux, cy + uy, c.neg, t("why.step")));
    }
    const base = layout();
    await Plotly.react(this.el, traces, layout({
      showlegend: false, margin: { l: 52, r: 10, t: 8, b: 34 },
      xaxis: { ...base.xaxis, title: { text: p, standoff: 2 }, range: [s.first[0], s.first.at(-1)] },
      yaxis: { ...base.yaxis, title: { text: q, standoff: 2 }, range: [s.second[0], s.second.at(-1)] },
      annotations,
    }), CONFIG);
  }

  async message(text) {
    const Plotly = await readyAfter;
    await sayInPlot(Plotly, this.el, text);
  }
}

/** An arrow from (x0, y0) to (x1, y1), its label beside the head (plotly would put it at the tail). */
function arrow(x0, y0, x1, y1, color, text) {
  const right = x1 >= x0;
  return [
    { x: x1, y: y1, ax: x0, ay: y0, xref: "x", yref: "y", axref: "x", ayref: "y", showarrow: true, text: "",
      arrowhead: 2, arrowsize: 1.2, arrowwidth: 2, arrowcolor: color },
    { x: x1, y: y1, xref: "x", yref: "y", showarrow: false, text, font: { size: 11, color }, bgcolor: theme().paper,
      opacity: 0.9, borderpad: 1,
      xanchor: right ? "left" : "right", yanchor: y1 >= y0 ? "bottom" : "top", xshift: right ? 4 : -4 },
  ];
}
