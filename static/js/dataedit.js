// Your own data: click points onto the 2-D plot (one button per class, shift-click removes the
// nearest point) or upload a CSV (inputs…, target per row). The points become a `custom`
// data set in the config, so they travel in the share link and the saved run.
import { t } from "./i18n.js";
import { changeFields, newRun } from "./pagerun.js";
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
  // hooks: {data() -> {x, y} of the training rows, setData({x, y}), maxRows, maxBytes, plot element, toast}
  const $ = (id) => document.getElementById(id);
  let brush = 1;
  for (const b of document.querySelectorAll("#data-tools [data-class]")) {
    b.addEventListener("click", () => {
      brush = Number(b.dataset.class);
      for (const o of document.querySelectorAll("#data-tools [data-class]")) o.setAttribute("aria-pressed", String(o === b));
    });
  }
  hooks.plot.addEventListener("plotly_click_point", (event) => {
    const { x, y, shift } = event.detail;
    const data = hooks.data();
    if (!data) return;
    const xs = data.x.map((p) => [...p]);
    const ys = data.y.map((p) => [...p]);
    if (shift) {
      if (!xs.length) return;
      let best = 0;
      xs.forEach((p, k) => { if (Math.hypot(p[0] - x, p[1] - y) < Math.hypot(xs[best][0] - x, xs[best][1] - y)) best = k; });
      xs.splice(best, 1);
      ys.splice(best, 1);
    } else {
      if (xs.length >= hooks.maxRows) return hooks.toast(t("csv.too_many", { n: xs.length + 1, max: hooks.maxRows }));
      xs.push([round(x), round(y)]);
      ys.push([brush]);
    }
    if (xs.length >= 2) hooks.setData({ x: xs, y: ys });
  });
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
}

const round = (v) => Math.round(v * 1000) / 1000;

/** The training rows when they are points in the plane (what the tools edit), else null. */
const planeRows = () => (model.data?.x && model.data.x[0]?.length === 2 ? { x: model.data.x, y: model.data.y } : null);

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
  on("run", () => { $("data-tools").hidden = !planeRows(); });
  bindDataEditing({
    plot: $("plot-boundary"),
    maxRows: model.meta.limits.max_custom_rows,
    maxBytes: model.meta.limits.max_body_bytes, // the data travel as a request body
    toast,
    data: planeRows,
    setData: changeData,
  });
}
