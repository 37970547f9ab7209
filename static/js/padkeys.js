// The drawing pad by keyboard (the digit lab's "Draw a digit"): the pad takes the focus and shows
// a pen, arrow keys move it (Shift: finer), Enter or Space puts it down and lifts it again (each
// lift asks the network, as a mouse stroke's end does), Delete clears the pad, Escape leaves. The
// keys are the plane's (planekeys.js), on the pad's own coordinates; a live region says where the
// pen is, in the 28 × 28 pixels the network sees, and whether it draws.
import { t } from "./i18n.js";
import { centre, planeKey } from "./planekeys.js";

const PIXELS = 28; // the image the network reads (digits.js mnistify)

/** Pad coordinates (y down, as drawn) of a pen kept in planeKey's (y up) on a pad `size` high. */
export function onPad(pen, size) {
  return { x: pen.x, y: size - pen.y };
}

/** The pen's pixel of the network's 28 × 28 (column, row from the top-left, 1-based as said). */
export function pixelOf(pen, size) {
  const cell = (v) => Math.min(PIXELS, Math.floor((v / size) * PIXELS) + 1);
  const at = onPad(pen, size);
  return { col: cell(at.x), row: cell(at.y) };
}

export function bindPadKeys(pad, penEl, hooks) {
  // hooks: stroke(from, to) in pad coordinates (a dot when equal), lift(), clear(), announce(text)
  const size = pad.width;
  const range = { x: [0, size], y: [0, size] };
  let pen = centre(range);
  let down = false;
  const place = () => {
    const { x, y } = onPad(pen, size);
    Object.assign(penEl.style, { left: `${pad.offsetLeft + pad.clientLeft + (x * pad.clientWidth) / size}px`,
                                 top: `${pad.offsetTop + pad.clientTop + (y * pad.clientHeight) / size}px` });
    penEl.hidden = false;
    penEl.classList.toggle("down", down);
  };
  const say = () => hooks.announce(t(down ? "pad.drawing" : "pad.pen", pixelOf(pen, size)));
  const lift = () => {
    if (!down) return;
    down = false;
    hooks.lift();
  };
  pad.addEventListener("focus", () => { place(); say(); });
  pad.addEventListener("blur", () => { lift(); penEl.hidden = true; });
  pad.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const action = planeKey(event.key, event.shiftKey, pen, range);
    if (!action) return;
    event.preventDefault(); // the pad's keys here, not the page's (→ is the next phase)
    if (action.leave) { pad.blur(); return; }
    if (action.remove) {
      down = false;
      hooks.clear();
      place();
      hooks.announce(t("pad.cleared"));
      return;
    }
    if (action.move) {
      if (down) hooks.stroke(onPad(pen, size), onPad(action.move, size));
      pen = action.move;
    } else if (down) {
      lift();
    } else {
      down = true;
      hooks.stroke(onPad(pen, size), onPad(pen, size));
    }
    place();
    say();
  });
}
