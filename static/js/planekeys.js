// The plane by keyboard, where its points are yours to edit (the decision-boundary plot): the
// plot takes the focus and shows a cursor, arrow keys move it, Enter (or Space) adds a point of
// the chosen class there and Delete (or Backspace) removes the point nearest to it, as a click
// and a shift-click do (dataedit.js); Escape leaves the plot. A live region says where the
// cursor is and what changed.
import { t } from "./i18n.js";

export const STEPS = 20; // a press moves the cursor a twentieth of the plot; with Shift, a hundredth
const FINE_STEPS = 100;

const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

/** What `key` does at `cursor` ({x, y}) on a plot showing `range` ({x: [lo, hi], y: [lo, hi]}):
 * {move: {x, y}} (kept inside the plot), {add: true}, {remove: true}, {leave: true}, or null
 * when the key is not the plane's. */
export function planeKey(key, shift, cursor, range) {
  const steps = shift ? FINE_STEPS : STEPS;
  const step = (axis) => (range[axis][1] - range[axis][0]) / steps;
  const moved = (dx, dy) => ({ move: { x: clamp(cursor.x + dx * step("x"), ...range.x),
                                       y: clamp(cursor.y + dy * step("y"), ...range.y) } });
  switch (key) {
    case "ArrowLeft": return moved(-1, 0);
    case "ArrowRight": return moved(1, 0);
    case "ArrowUp": return moved(0, 1);
    case "ArrowDown": return moved(0, -1);
    case "Enter": case " ": return { add: true };
    case "Delete": case "Backspace": return { remove: true };
    case "Escape": return { leave: true };
    default: return null;
  }
}

/** The plot's centre: where the cursor starts. */
export function centre(range) {
  return { x: (range.x[0] + range.x[1]) / 2, y: (range.y[0] + range.y[1]) / 2 };
}

const coordinate = (v) => String(Math.round(v * 100) / 100);

export function bindPlaneKeys(plot, cursorEl, hooks) {
  // hooks: editable() -> whether the plot shows your points, range() -> {x, y} | null, the
  //        plot's axes as drawn, at(x, y) -> {left, top} px in cursorEl's parent,
  //        edit(x, y, remove), announce(text)
  let cursor = null;
  const show = () => {
    const range = hooks.range();
    if (!range || !hooks.editable()) { cursorEl.hidden = true; return null; }
    cursor = cursor ? { x: clamp(cursor.x, ...range.x), y: clamp(cursor.y, ...range.y) } : centre(range);
    const { left, top } = hooks.at(cursor.x, cursor.y);
    Object.assign(cursorEl.style, { left: `${left}px`, top: `${top}px` });
    cursorEl.hidden = false;
    return range;
  };
  plot.addEventListener("focus", () => {
    if (show()) hooks.announce(t("plane.cursor", { x: coordinate(cursor.x), y: coordinate(cursor.y) }));
  });
  plot.addEventListener("blur", () => { cursorEl.hidden = true; });
  plot.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const range = show();
    if (!range) return;
    const action = planeKey(event.key, event.shiftKey, cursor, range);
    if (!action) return;
    event.preventDefault(); // the plane's keys here, not the page's (→ is the next phase)
    if (action.leave) { plot.blur(); return; }
    if (action.move) {
      cursor = action.move;
      show();
      hooks.announce(t("plane.cursor", { x: coordinate(cursor.x), y: coordinate(cursor.y) }));
      return;
    }
    hooks.edit(cursor.x, cursor.y, Boolean(action.remove));
  });
}
