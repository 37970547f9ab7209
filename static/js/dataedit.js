// Your own data: click points onto the 2-D plot (one button per class, shift-click removes the
// nearest point) or upload a CSV (inputs…, target per row). The points become a `custom`
// data set in the config, so they travel in the share link and the saved run.
import { t } from "./i18n.js";
import { changeFields, newRun } from "./pagerun.js";
import { bindPlaneKeys } from "./planekeys.js";
import { model, on } from "./store.js";
import { toast } from "./toast.js";

/** Rows of numbers from CSV text; errors name the row and the column (1-based, as a spreadsheet). */
export function parseCsv(text, maxRows) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  if (lines.length && lines[0].split(",").some((cell) => Number.isNaN(Number(cell)))) lines.shift(); // a header
  if (!lines.length) throw new Error(t("csv.empty"));
  if (lines.length > maxRows) throw new Error(t("csv.too_many", { n: lines.length, max: maxRows }));
  const rows = lines.map((line, r) => line.split(",").map((cell, c) => {
    const v = Number(cell.trim());
    if (cell.trim() === "" || !Number.isFinite(v)) throw new Error(t("csv.cell", { row: r + 1, col: c + 1, text: cell }));
    return v;
  }));
  const width = rows[0].length;
  if (width < 2) throw new Error(t("csv.width"));
  rows.forEach((row, r) => { if (row.length !== width) throw new Error(t("csv.ragged", { row: r + 1, n: row.length, width })); });
  return { x: rows.map((row) => row.slice(0, -1)), y: rows.map((row) => [row.at(-1)]) };
}

export function bindDataEditing(hooks) {
  // hooks: {data() -> {x, y} of the points edited, shown() -> those the plot shows, setData({x, y}),
  //         maxRows, maxBytes, plot element, toast, announce(text)}; gives back edit(x, y, remove),
  //         which the plane's keys call
  const $ = (id) => document.getElementById(id);
  let brush = 1;
  for (const b of document.querySelectorAll("#data-tools [data-class]")) {
    b.addEventListener("click", () => {
      brush = Number(b.dataset.class);
      for (const o of document.querySelectorAll("#data-tools [data-class]")) o.setAttribute("aria-pressed", String(o === b));
    });
  }
  /** A point of the chosen class added at (x, y), or the point nearest to it removed. */
  const edit = (x, y, remove) => {
    const data = hooks.data();
    if (!data) return;
    const xs = data.x.map((p) => [...p]);
    const ys = data.y.map((p) => [...p]);
    let said;
    if (remove) { // the point nearest among those the plot shows (not your test share, unseen)
      const shown = hooks.shown?.()?.x ?? xs;
      if (!shown.length) return;
      const [px, py] = shown[nearest(shown, x, y)];
      const k = xs.findIndex((p) => p[0] === px && p[1] === py);
      if (k < 0) return;
      said = t("plane.removed", { x: px, y: py });
      xs.splice(k, 1);
      ys.splice(k, 1);
    } else {
      if (xs.length >= hooks.maxRows) return hooks.toast(t("csv.too_many", { n: xs.length + 1, max: hooks.maxRows }));
      xs.push([round(x), round(y)]);
      ys.push([brush]);
      said = t("plane.added", { x: round(x), y: round(y), label: brush });
    }
    if (xs.length < 2) return; // a data set needs two points
    hooks.setData({ x: xs, y: ys });
    hooks.announce?.(said);
  };
  hooks.plot.addEventListener("plotly_click_point", (event) => edit(event.detail.x, event.detail.y, event.detail.shift));
  $("csv-upload").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    try {
      if (file.size > hooks.maxBytes) throw new Error(t("csv.too_big"));
      hooks.setData(parseCsv(await file.text(), hooks.maxRows));
    } catch (error) {
      hooks.toast(error.message);
    }
  });
  return edit;
}

const round = (v) => Math.round(v * 1000) / 1000;

/** The index of the point of `points` nearest to (x, y). */
function nearest(points, x, y) {
  let best = 0;
  points.forEach((p, k) => { if (Math.hypot(p[0] - x, p[1] - y) < Math.hypot(points[best][0] - x, points[best][1] - y)) best = k; });
  return best;
}

/** The points the tools edit when the inputs are points in the plane, else null: your own data
 * whole, its test share included (the plot shows the training rows: editing those alone lost a
 * fifth of the points at every click), or the training rows of a generated data set. */
function planeRows() {
  if (!(model.data?.x && model.data.x[0]?.length === 2)) return null;
  const own = model.resolved?.dataset === "custom" ? model.resolved.data : null;
  return Array.isArray(own?.x) ? { x: own.x, y: own.y } : { x: model.data.x, y: model.data.y };
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

/** The data tools for the page's run, shown when its inputs are points in the plane. */
export function mountDataEditing() {
  const $ = (id) => document.getElementById(id);
  const plot = $("plot-boundary");
  const announce = (text) => { $("plane-said").textContent = text; };
  on("run", () => {
    $("data-tools").hidden = !planeRows();
    plot.tabIndex = planeRows() ? 0 : -1; // the plane's keys, where its points are yours to edit
  });
  const edit = bindDataEditing({
    plot,
    maxRows: model.meta.limits.max_custom_rows,
    maxBytes: model.meta.limits.max_body_bytes, // the data travel as a request body
    toast,
    announce,
    data: planeRows,
    shown: () => model.data,
    setData: changeData,
  });
  bindPlaneKeys(plot, $("plane-cursor"), {
    editable: () => Boolean(planeRows()),
    range: () => {
      const full = plot._fullLayout;
      return full?.xaxis?.visible ? { x: [...full.xaxis.range], y: [...full.yaxis.range] } : null;
    },
    at: (x, y) => {
      const full = plot._fullLayout;
      return { left: plot.offsetLeft + full.xaxis._offset + full.xaxis.c2p(x),
               top: plot.offsetTop + full.yaxis._offset + full.yaxis.c2p(y) };
    },
    edit,
    announce,
  });
}
